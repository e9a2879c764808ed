package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A template is decoded into plain values: map[string]any, []any, string,
// json.Number (a number as written), bool and nil. Short-form YAML tags become
// their long form: !Ref X is {"Ref": "X"}, !GetAtt A.B is
// {"Fn::GetAtt": ["A", "B"]}, !Sub s is {"Fn::Sub": "s"}, and so on.

// parseTemplate decodes a JSON or YAML template whose top level must be a
// mapping.
func parseTemplate(data []byte) (map[string]any, error) {
	var v any
	var err error
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		v, err = parseJSON(trimmed)
	} else {
		v, err = parseYAML(data)
	}
	if err != nil {
		return nil, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("template: want a mapping of sections")
	}
	return top, nil
}

func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if dec.More() {
		return nil, errors.New("template: data after the top-level JSON object")
	}
	return v, nil
}

func parseYAML(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, errors.New("template: empty")
	}
	return decodeNode(doc.Content[0])
}

// decodeNode decodes a YAML node, turning a short-form tag (!Ref, !Sub,
// !GetAtt, ...) into the long form it stands for.
func decodeNode(n *yaml.Node) (any, error) {
	if n.Kind == yaml.AliasNode {
		return decodeNode(n.Alias)
	}
	tag := n.Tag
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return decodeUntagged(n)
	}
	arg, err := decodeUntagged(n)
	if err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: arg}, nil
	case "GetAtt":
		// !GetAtt Resource.Attribute: logical ids have no dots, attributes
		// may (Endpoint.Address), so the first dot splits them.
		if s, ok := arg.(string); ok {
			if res, attr, ok := strings.Cut(s, "."); ok {
				arg = []any{res, attr}
			}
		}
	}
	return map[string]any{"Fn::" + name: arg}, nil
}

// decodeUntagged decodes a node ignoring a short-form tag on it (its
// children's tags still count). A scalar with such a tag is a string.
func decodeUntagged(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return decodeUntagged(n.Alias)
	case yaml.ScalarNode:
		return decodeScalar(n)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := decodeNode(c)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, fmt.Errorf("template: line %d: want a plain key", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("template: line %d: key %q defined twice", k.Line, k.Value)
			}
			v, err := decodeNode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("template: line %d: unexpected YAML node", n.Line)
}

func decodeScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!int", "!!float":
		return json.Number(n.Value), nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("template: line %d: %w", n.Line, err)
		}
		return b, nil
	case "!!null":
		return nil, nil
	}
	return n.Value, nil
}
