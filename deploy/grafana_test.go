package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The Grafana dashboard's JSON, as much of it as Grafana needs to place
// panels and run their queries.
type dashboard struct {
	Title         string `json:"title"`
	UID           string `json:"uid"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type variable struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Query any    `json:"query"`
}

type panel struct {
	ID      int    `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	GridPos *struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Datasource json.RawMessage `json:"datasource"`
	Targets    []struct {
		RefID      string          `json:"refId"`
		Expr       string          `json:"expr"`
		Datasource json.RawMessage `json:"datasource"`
	} `json:"targets"`
}

const grafanaFile = "grafana/ethfleet.json"

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(grafanaFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", grafanaFile, err)
	}
	return d
}

// exprs returns every query of the dashboard, by panel title.
func (d dashboard) exprs() map[string][]string {
	out := map[string][]string{}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out[p.Title] = append(out[p.Title], tg.Expr)
		}
	}
	return out
}

// promDatasource says whether a panel's or query's datasource is the
// dashboard's Prometheus variable, in either form Grafana accepts.
func promDatasource(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "${DS_PROMETHEUS}"
	}
	var ds struct{ Type, UID string }
	return json.Unmarshal(raw, &ds) == nil && ds.Type == "prometheus" && ds.UID == "${datasource}"
}

// TestGrafanaStructure checks what Grafana needs to import the dashboard:
// a datasource variable, panels on the 24-column grid without overlaps,
// and queries on that datasource.
func TestGrafanaStructure(t *testing.T) {
	d := loadDashboard(t)
	if d.Title == "" || d.UID == "" || d.SchemaVersion == 0 {
		t.Errorf("title %q, uid %q, schemaVersion %d", d.Title, d.UID, d.SchemaVersion)
	}
	hasDS := slices.ContainsFunc(d.Templating.List, func(v variable) bool {
		return v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	})
	if !hasDS {
		t.Error(`no templating variable "datasource" of type datasource for prometheus`)
	}
	ids := map[int]bool{}
	type cell struct{ x, y int }
	taken := map[cell]string{}
	queries := 0
	for _, p := range d.Panels {
		if p.ID == 0 || ids[p.ID] {
			t.Errorf("panel %q: id %d missing or repeated", p.Title, p.ID)
		}
		ids[p.ID] = true
		g := p.GridPos
		if g == nil || g.W < 1 || g.H < 1 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v", p.Title, g)
			continue
		}
		for x := g.X; x < g.X+g.W; x++ {
			for y := g.Y; y < g.Y+g.H; y++ {
				if other, ok := taken[cell{x, y}]; ok {
					t.Fatalf("panel %q overlaps %q at (%d,%d)", p.Title, other, x, y)
				}
				taken[cell{x, y}] = p.Title
			}
		}
		if p.Type == "row" {
			continue
		}
		if p.Title == "" || len(p.Targets) == 0 || !promDatasource(p.Datasource) {
			t.Errorf("panel %q (%s): needs a title, queries and the Prometheus datasource variable", p.Title, p.Type)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			queries++
			if tg.Expr == "" || tg.RefID == "" || refs[tg.RefID] || !promDatasource(tg.Datasource) {
				t.Errorf("panel %q: query %q (refId %q) needs an expr, a unique refId and the datasource variable", p.Title, tg.Expr, tg.RefID)
			}
			refs[tg.RefID] = true
		}
	}
	if queries < 10 {
		t.Errorf("only %d queries", queries)
	}
}

var (
	quotedRE  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	matcherRE = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`)
	groupRE   = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	identRE   = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	keywords  = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "by": true, "without": true}
)

// metricNames returns the metric names a PromQL expression reads: the
// identifiers that are neither function calls, keywords, label names nor
// inside label matchers, ranges or strings.
func metricNames(expr string) []string {
	s := quotedRE.ReplaceAllString(expr, `""`)
	s = matcherRE.ReplaceAllString(s, " ")
	s = groupRE.ReplaceAllString(s, " ")
	var names []string
	for _, m := range identRE.FindAllStringSubmatch(s, -1) {
		if m[1] == "" && !keywords[m[0]] {
			names = append(names, m[0])
		}
	}
	return names
}

func TestMetricNames(t *testing.T) {
	tests := map[string][]string{
		`ethfleet_node_head{node=~"$node"}`: {"ethfleet_node_head"},
		`histogram_quantile(0.99, sum by (le) (rate(ethfleet_gateway_request_duration_seconds_bucket[$__rate_interval])))`: {"ethfleet_gateway_request_duration_seconds_bucket"},
		`a / on (node) b > bool 0 or c{x="y{z}"}`:            {"a", "b", "c"},
		`topk(10, sum without (method) (rate(x_total[5m])))`: {"x_total"},
	}
	for expr, want := range tests {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %q, want %q", expr, got, want)
		}
	}
}

// exposedNames returns the metric names in a Prometheus text exposition.
func exposedNames(text string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	return names
}
