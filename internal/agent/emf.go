package agent

import (
	"context"
	"io"
	"time"

	"github.com/ethfleet/ethfleet/internal/emf"
)

// writeEMF writes the node's report as CloudWatch Embedded Metric Format
// lines to out every interval until ctx ends: one line with the node's
// own figures, and one per reference with the lag behind it.
func (s *Service) writeEMF(ctx context.Context, out io.Writer, namespace string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			for _, line := range emfLines(s.monitor.Reports()[0]) {
				w := &emf.Writer{Out: out, Namespace: namespace, Dimensions: line.dims}
				if err := w.Write(line.metrics, now); err != nil {
					s.log.Warn("emf", "err", err)
				}
			}
		}
	}
}

type emfLine struct {
	dims    map[string]string
	metrics map[string]emf.Metric
}

func emfLines(r Report) []emfLine {
	node := map[string]emf.Metric{
		"Head":           {Value: float64(r.Head), Unit: emf.None},
		"Ready":          {Value: boolFloat(r.Ready), Unit: emf.None},
		"Peers":          {Value: float64(r.Peers), Unit: emf.Count},
		"FleetLagBlocks": {Value: float64(r.FleetLag), Unit: emf.Count},
	}
	if r.Disk != nil && r.Disk.SizeBytes > 0 {
		node["DataDirFreePercent"] = emf.Metric{Value: 100 * float64(r.Disk.FreeBytes) / float64(r.Disk.SizeBytes), Unit: emf.Percent}
	}
	lines := []emfLine{{dims: map[string]string{"Node": r.Name}, metrics: node}}
	for _, l := range r.Lags {
		if !l.Reachable {
			continue
		}
		lines = append(lines, emfLine{
			dims: map[string]string{"Node": r.Name, "Reference": l.Reference},
			metrics: map[string]emf.Metric{
				"LagBlocks":  {Value: float64(l.Blocks), Unit: emf.Count},
				"LagSeconds": {Value: l.Seconds, Unit: emf.Seconds},
			},
		})
	}
	return lines
}
