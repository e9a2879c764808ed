package k8s

import (
	"bytes"
	"encoding/json"

	"sigs.k8s.io/yaml"
)

// encode writes objects as one multi-document YAML stream, keys sorted,
// without the status the typed objects carry (an applied manifest has
// none).
func encode(objs ...any) ([]byte, error) {
	var out bytes.Buffer
	for i, obj := range objs {
		j, err := json.Marshal(obj)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return nil, err
		}
		dropStatus(doc)
		y, err := yaml.Marshal(doc)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(y)
	}
	return out.Bytes(), nil
}

// dropStatus removes the status of every object in v: the document's own
// and those of objects inside it (a StatefulSet's volume claim templates).
// An object is a map with metadata.
func dropStatus(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["metadata"]; ok {
			delete(v, "status")
		}
		for _, e := range v {
			dropStatus(e)
		}
	case []any:
		for _, e := range v {
			dropStatus(e)
		}
	}
}
