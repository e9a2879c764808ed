package stacktest

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// template is what the fake learns from a TemplateBody (YAML or JSON):
// its resources in order, its parameters and its outputs.
type template struct {
	resources []resource
	// params maps each parameter to whether it has a default.
	params  map[string]bool
	outputs []output
}

type resource struct {
	id, typ string
	// body is the resource's definition as text, to tell a modified
	// resource from an unchanged one.
	body string
}

type output struct {
	key, description string
	value, export    *yaml.Node
}

func parseTemplate(body string) (*template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return nil, validationError("Template format error: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, validationError("Template format error: the template is not a YAML or JSON object")
	}
	root := doc.Content[0]
	res := lookup(root, "Resources")
	if res == nil || res.Kind != yaml.MappingNode || len(res.Content) == 0 {
		return nil, validationError("Template format error: At least one Resources member must be defined.")
	}
	t := &template{params: map[string]bool{}}
	for i := 0; i+1 < len(res.Content); i += 2 {
		id, def := res.Content[i].Value, res.Content[i+1]
		typ := lookup(def, "Type")
		if typ == nil || typ.Kind != yaml.ScalarNode {
			return nil, validationError("Template format error: [/Resources/%s] Every Resources object must contain a Type member.", id)
		}
		text, err := yaml.Marshal(def)
		if err != nil {
			return nil, validationError("Template format error: %v", err)
		}
		t.resources = append(t.resources, resource{id: id, typ: typ.Value, body: string(text)})
	}
	if ps := lookup(root, "Parameters"); ps != nil && ps.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(ps.Content); i += 2 {
			t.params[ps.Content[i].Value] = lookup(ps.Content[i+1], "Default") != nil
		}
	}
	if outs := lookup(root, "Outputs"); outs != nil && outs.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(outs.Content); i += 2 {
			def := outs.Content[i+1]
			o := output{key: outs.Content[i].Value, value: lookup(def, "Value"), export: lookup(lookup(def, "Export"), "Name")}
			if d := lookup(def, "Description"); d != nil {
				o.description = d.Value
			}
			t.outputs = append(t.outputs, o)
		}
	}
	return t, nil
}

func (t *template) resource(id string) (resource, bool) {
	for _, r := range t.resources {
		if r.id == id {
			return r, true
		}
	}
	return resource{}, false
}

// lookup returns the value of key in mapping node m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// eval gives an output's value: a plain string (with ${AWS::StackName}
// and ${AWS::Region} put in), a Ref to a parameter or resource, or a
// stand-in for what only CloudFormation could compute.
func eval(n *yaml.Node, ref func(string) string) string {
	switch {
	case n == nil:
		return ""
	case n.Kind == yaml.ScalarNode && n.Tag == "!Ref":
		return ref(n.Value)
	case n.Kind == yaml.ScalarNode && (n.Tag == "!Sub" || n.Tag == "" || strings.HasPrefix(n.Tag, "!!")):
		return expand(n.Value, ref)
	case lookup(n, "Ref") != nil:
		return ref(lookup(n, "Ref").Value)
	case lookup(n, "Fn::Sub") != nil && lookup(n, "Fn::Sub").Kind == yaml.ScalarNode:
		return expand(lookup(n, "Fn::Sub").Value, ref)
	}
	return fmt.Sprintf("computed-%d-%d", n.Line, n.Column)
}

// expand replaces each ${NAME} in s by ref(NAME).
func expand(s string, ref func(string) string) string {
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		end := strings.Index(s[max(start, 0):], "}")
		if start < 0 || end < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:start])
		b.WriteString(ref(s[start+2 : start+end]))
		s = s[start+end+1:]
	}
}
