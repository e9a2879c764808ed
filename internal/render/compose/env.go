package compose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ethfleet/ethfleet/internal/config"
)

// grafanaPassword is the variable Grafana's admin password comes from.
const grafanaPassword = "GRAFANA_ADMIN_PASSWORD"

// awsCredentials are passed to a restore from an s3:// store when .env
// sets them; a host with an instance role leaves them out.
var awsCredentials = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

// refs returns the names the secrets refer to, sorted, each once.
func refs(secrets ...config.Secret) []string {
	var names []string
	for _, s := range secrets {
		names = append(names, config.References(s.String())...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// gatewaySecrets and agentSecrets are what the rendered fleet descriptions
// of the gateway and the agents refer to.
func gatewaySecrets(cfg *config.Config) []string {
	var s []config.Secret
	for _, k := range cfg.Gateway.APIKeys {
		s = append(s, k.Key)
	}
	return refs(append(s, referenceRPCs(cfg)...)...)
}

func agentSecrets(cfg *config.Config) []string { return refs(referenceRPCs(cfg)...) }

func referenceRPCs(cfg *config.Config) []config.Secret {
	var s []config.Secret
	for _, r := range cfg.References {
		s = append(s, r.RPC)
	}
	return s
}

// literal escapes s so that compose passes it on as written instead of
// substituting its $.
func literal(s string) string { return strings.ReplaceAll(s, "$", "$$") }

// required is a reference compose fills from .env, refusing to start the
// project when .env lacks it.
func required(name string) string { return fmt.Sprintf("${%s:?set %s in .env}", name, name) }

// interpolated escapes s like literal but keeps its ${NAME} references
// for compose to fill, as required ones.
func interpolated(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range config.EnvRef.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(literal(s[last:m[0]]))
		b.WriteString(required(s[m[2]:m[3]]))
		last = m[1]
	}
	b.WriteString(literal(s[last:]))
	return b.String()
}

// environment hands each named variable of .env to a container, where the
// rendered fleet description's ${NAME} references resolve.
func environment(names []string) map[string]string {
	if len(names) == 0 {
		return nil
	}
	env := map[string]string{}
	for _, n := range names {
		env[n] = required(n)
	}
	return env
}

// envExample is .env.example: every variable compose.yaml needs, empty.
func envExample(cfg *config.Config) []byte {
	var b strings.Builder
	b.WriteString("# Copy to .env beside compose.yaml, fill in and keep it private (chmod 600):\n")
	b.WriteString("# docker compose reads it to fill the ${NAME} references of compose.yaml.\n\n")
	secrets := append(referenceRPCs(cfg), cfg.Snapshots.Store, cfg.Mining.Node)
	for _, k := range cfg.Gateway.APIKeys {
		secrets = append(secrets, k.Key)
	}
	for _, n := range refs(secrets...) {
		fmt.Fprintf(&b, "%s=\n", n)
	}
	fmt.Fprintf(&b, "# Grafana's admin password (user admin)\n%s=\n", grafanaPassword)
	if restores(cfg) && strings.HasPrefix(cfg.Snapshots.Store.String(), "s3://") {
		b.WriteString("\n# Credentials for the snapshot store, unless the host has an instance role:\n")
		for _, n := range awsCredentials {
			fmt.Fprintf(&b, "# %s=\n", n)
		}
	}
	return []byte(b.String())
}
