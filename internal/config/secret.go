package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Secret is a configuration string that may carry credentials, such as
// "https://mainnet.infura.io/v3/${INFURA_KEY}". Every ${NAME} in it is
// replaced by the environment variable NAME when the file is loaded.
//
// A Secret prints, logs and marshals as it was written, with its references
// unexpanded, so a key that came from the environment never leaves the
// process except where Reveal hands it to a client.
type Secret struct {
	template string
	value    string
}

// NewSecret returns a Secret whose value is s, written as s. It is meant for
// values built in code rather than read from a file.
func NewSecret(s string) Secret { return Secret{template: s, value: s} }

// EnvRef is a ${NAME} reference of a Secret; its first group is NAME.
// Renderers use it to pass references on to the targets that resolve them.
var EnvRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// References returns the names text refers to as ${NAME}, sorted, each once.
func References(text string) []string {
	var names []string
	for _, m := range EnvRef.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// resolve expands the template's ${NAME} references with lookup.
func (s *Secret) resolve(lookup func(string) (string, bool)) error {
	var missing []string
	s.value = EnvRef.ReplaceAllStringFunc(s.template, func(ref string) string {
		name := EnvRef.FindStringSubmatch(ref)[1]
		v, ok := lookup(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return fmt.Errorf("environment variable %s is not set", missing[0])
	}
	return nil
}

// Reveal returns the resolved value. Call it only to hand the value to the
// client that needs it, never to print it.
func (s Secret) Reveal() string { return s.value }

// Redactor returns a function that rewrites every resolved secret in a
// message back to its template, so that an error quoting a URL shows no
// key.
func Redactor(secrets ...Secret) func(string) string {
	return func(msg string) string {
		for _, s := range secrets {
			if v := s.Reveal(); v != "" && v != s.String() {
				msg = strings.ReplaceAll(msg, v, s.String())
			}
		}
		return msg
	}
}

// IsZero reports whether the secret was left unset.
func (s Secret) IsZero() bool { return s.template == "" }

// String returns the secret as written, with ${NAME} references unexpanded.
func (s Secret) String() string { return s.template }

// UnmarshalYAML reads the secret's template from a YAML scalar.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		// A TypeError lets the decoder go on and report every problem.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: expected a string", n.Line)}}
	}
	s.template, s.value = n.Value, n.Value
	return nil
}

// MarshalYAML writes the template, never the resolved value.
func (s Secret) MarshalYAML() (any, error) { return s.template, nil }

// MarshalText writes the template, never the resolved value; it covers
// encoding/json and the log/slog handlers.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.template), nil }
