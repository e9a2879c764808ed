package agent

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/ethfleet/ethfleet/internal/route53dns"
)

// dnsRecord keeps the node's A record: registered once the node is ready,
// deleted when the agent stops cleanly.
type dnsRecord struct {
	reg        *route53dns.Registrar
	ip         netip.Addr
	registered bool
}

// newDNSRecord resolves the address to register and the Route53 client.
func (s *Service) newDNSRecord(ctx context.Context) (*dnsRecord, error) {
	d := s.opts.Config.Agent.DNS
	addr, err := s.discover().Private(ctx)
	if err != nil {
		return nil, fmt.Errorf("agent: dns: %w", err)
	}
	api := s.opts.Route53
	if api == nil {
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(d.Region))
		if err != nil {
			return nil, fmt.Errorf("agent: dns: AWS configuration: %w", err)
		}
		api = route53.NewFromConfig(cfg, func(o *route53.Options) {
			if d.Endpoint != "" {
				o.BaseEndpoint = aws.String(d.Endpoint)
			}
		})
	}
	return &dnsRecord{reg: &route53dns.Registrar{API: api, ZoneID: d.ZoneID, Name: d.Name, TTL: d.TTL}, ip: addr.IP}, nil
}

// keep registers the record the first time the node is ready, trying
// again on every tick until Route53 accepts it, until ctx ends.
func (r *dnsRecord) keep(ctx context.Context, s *Service, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for !r.registered {
		if ready, _ := s.Ready(); ready {
			if err := r.reg.Upsert(ctx, r.ip); err != nil {
				s.log.Warn("dns: register", "err", err)
			} else {
				r.registered = true
				s.log.Info("dns: registered", "name", r.reg.Name, "ip", r.ip)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// remove deletes the record if it was registered.
func (r *dnsRecord) remove(s *Service) {
	if !r.registered {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.reg.Delete(ctx, r.ip); err != nil {
		s.log.Warn("dns: deregister", "err", err)
		return
	}
	s.log.Info("dns: deregistered", "name", r.reg.Name, "ip", r.ip)
}
