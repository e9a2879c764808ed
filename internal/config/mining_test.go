package config

import (
	"slices"
	"strings"
	"testing"
)

// TestMiningDeploy covers mining.deploy: its defaults, and what keeps it
// from loading.
func TestMiningDeploy(t *testing.T) {
	base := `network: {name: classic}
mining:
  autoscale: {minHashrate: 1000, maxHashrate: 2000}
  deploy: {}
`
	tests := []struct {
		name string
		edit func(string) string
		want []string // problems, in order; none means it loads
	}{
		{"defaults", nil, nil},
		{"without autoscale", func(s string) string {
			return strings.Replace(s, "  autoscale: {minHashrate: 1000, maxHashrate: 2000}\n", "", 1)
		}, []string{"test.yaml:3: mining.deploy: needs mining.autoscale: the autoscaler owns the deployed miners' count"}},
		{"bad types and resources", func(s string) string {
			return strings.Replace(s, "deploy: {}", `deploy: {poolInstanceType: big, minerInstanceTypes: [c7i.xlarge, "c7i xlarge"], minerResources: {cpu: -1}}`, 1)
		}, []string{
			`test.yaml:4: mining.deploy.poolInstanceType: "big" is not an EC2 instance type such as c7i.large`,
			`test.yaml:4: mining.deploy.minerInstanceTypes[1]: "c7i xlarge" is not an EC2 instance type such as c7i.xlarge`,
			`test.yaml:4: mining.deploy.minerResources: needs at least 1 core and 1 GiB, got -1 and 4`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := base
			if tt.edit != nil {
				doc = tt.edit(doc)
			}
			cfg, err := Parse("test.yaml", []byte(doc), func(string) (string, bool) { return "", true })
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if err != nil {
				return
			}
			d := cfg.Mining.Deploy
			if d.PoolInstanceType != DefaultPoolInstanceType || !slices.Equal(d.MinerInstanceTypes, DefaultMinerInstanceTypes) ||
				d.MinerResources != (Resources{CPU: 2, MemoryGiB: 4}) {
				t.Errorf("defaults: %+v", d)
			}
		})
	}
}
