package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Load reads, parses, defaults and validates the fleet description at path,
// resolving ${NAME} references from the process environment.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse turns the YAML in data into a validated Config. file names the
// source in error messages; lookup resolves ${NAME} references.
func Parse(file string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{Problems: []Problem{yamlProblem(file, err)}}
	}
	ps := &problems{file: file, lines: map[string]int{}}
	cfg := &Config{}
	if root.Kind != 0 {
		checkKeys(ps, &root, reflect.TypeOf(cfg).Elem(), "")
		if err := ps.err(); err != nil {
			return nil, err
		}
		if err := root.Decode(cfg); err != nil {
			return nil, &Error{Problems: typeProblems(file, err)}
		}
	}
	cfg.resolveSecrets(ps, lookup)
	if err := ps.err(); err != nil {
		return nil, err
	}
	cfg.applyDefaults()
	cfg.validate(ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	cfg.source, cfg.lines = file, ps.lines
	return cfg, nil
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	secretType   = reflect.TypeOf(Secret{})
)

// checkKeys walks the YAML tree against the Go type it will decode into,
// reporting every key the type does not have and recording the line of every
// key it does, so later steps can point at them.
func checkKeys(ps *problems, n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			checkKeys(ps, c, t, path)
		}
		return
	}
	if path != "" {
		if _, seen := ps.lines[path]; !seen {
			ps.lines[path] = n.Line
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType || t == secretType {
		return
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := join(path, k.Value)
			f, ok := fields[k.Value]
			if !ok {
				ps.addAt(k.Line, key, "unknown key%s", suggest(k.Value, fields))
				continue
			}
			ps.lines[key] = k.Line
			checkKeys(ps, v, f.Type, key)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := join(path, k.Value)
			ps.lines[key] = k.Line
			checkKeys(ps, v, t.Elem(), key)
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, c := range n.Content {
			checkKeys(ps, c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	}
	// Other shapes (a scalar where a mapping belongs, say) are left to the
	// decoder, whose type errors carry their line.
}

// yamlFields maps each YAML key of struct type t to its field.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = f
		}
	}
	return fields
}

// suggest names a known key that differs from the unknown one only in case
// or separators, the usual slip (max_lag for maxLag).
func suggest(key string, fields map[string]reflect.StructField) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for name := range fields {
		if norm(name) == norm(key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var lineRef = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlProblem turns a YAML syntax error into a Problem with its line.
func yamlProblem(file string, err error) Problem {
	msg := err.Error()
	if m := lineRef.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: line, Msg: m[2]}
	}
	return Problem{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// typeProblems splits the decoder's type errors into one Problem each.
func typeProblems(file string, err error) []Problem {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []Problem{yamlProblem(file, err)}
	}
	ps := make([]Problem, 0, len(te.Errors))
	for _, e := range te.Errors {
		ps = append(ps, yamlProblem(file, errors.New(e)))
	}
	return ps
}

// LoadUnresolved reads a fleet description to render it for a deploy
// target: ${NAME} references are checked for shape but not looked up, so
// that rendering needs no secret in its environment. Each resolves to a
// stand-in long enough for the length checks; the rendered files carry
// only the reference, and the process that runs from them resolves it.
func LoadUnresolved(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, standIn)
}

func standIn(name string) (string, bool) { return "unresolved-" + name + "-stand-in", true }
