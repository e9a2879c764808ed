package spec

import (
	"errors"
	"fmt"
)

// build turns the decoded database into a Spec: type definitions get names
// qualified by the resource type that uses them, and every reference to a
// type definition is resolved (a dangling one is an error, so a broken or
// changed database is noticed at load rather than as odd validation).
func build(db *dbFile) (*Spec, error) {
	resources := db.Schema.Resource.Entities
	typeDefs := db.Schema.TypeDefinition.Entities
	if len(resources) == 0 {
		return nil, errors.New("no resource types in schema.resource.entities")
	}

	owner := map[string]string{} // type definition $id → resource type
	for _, r := range resources {
		for _, td := range db.Schema.UsesType.Forward[r.ID] {
			owner[td.ID] = r.CloudFormationType
		}
	}
	objects := make(map[string]*object, len(typeDefs)) // by $id
	for _, td := range typeDefs {
		name := td.Name
		if o := owner[td.ID]; o != "" {
			name = o + "." + td.Name
		}
		objects[td.ID] = &object{name: name}
	}
	for _, td := range typeDefs {
		props, err := convertProperties(td.Properties, objects)
		if err != nil {
			return nil, fmt.Errorf("type definition %s: %w", objects[td.ID].name, err)
		}
		objects[td.ID].props = props
	}

	s := &Spec{resources: make(map[string]*resourceType, len(resources))}
	for _, r := range resources {
		props, err := convertProperties(r.Properties, objects)
		if err != nil {
			return nil, fmt.Errorf("resource type %s: %w", r.CloudFormationType, err)
		}
		attrs := make(map[string]*valueType, len(r.Attributes))
		for name, a := range r.Attributes {
			t, err := convertType(&a.Type, objects)
			if err != nil {
				return nil, fmt.Errorf("resource type %s attribute %s: %w", r.CloudFormationType, name, err)
			}
			attrs[name] = t
		}
		s.resources[r.CloudFormationType] = &resourceType{
			object:     object{name: r.CloudFormationType, props: props},
			attributes: attrs,
		}
	}
	return s, nil
}

func convertProperties(in map[string]dbProperty, objects map[string]*object) (map[string]property, error) {
	out := make(map[string]property, len(in))
	for name, p := range in {
		t, err := convertType(&p.Type, objects)
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", name, err)
		}
		out[name] = property{typ: t, required: p.Required}
	}
	return out, nil
}

// Shared values for the kinds without parts, so that the many string and
// integer properties do not each hold their own.
var scalarTypes = map[string]*valueType{
	"string":    {kind: "string"},
	"integer":   {kind: "integer"},
	"number":    {kind: "number"},
	"boolean":   {kind: "boolean"},
	"date-time": {kind: "date-time"},
	"json":      {kind: "json"},
	"tag":       {kind: "tag"},
}

func convertType(t *dbType, objects map[string]*object) (*valueType, error) {
	if shared, ok := scalarTypes[t.Type]; ok {
		return shared, nil
	}
	switch t.Type {
	case "array", "map":
		if t.Element == nil {
			return nil, fmt.Errorf("%s without element type", t.Type)
		}
		elem, err := convertType(t.Element, objects)
		if err != nil {
			return nil, err
		}
		return &valueType{kind: t.Type, element: elem}, nil
	case "ref":
		if t.Reference == nil {
			return nil, errors.New("ref without reference")
		}
		obj, ok := objects[t.Reference.ID]
		if !ok {
			return nil, fmt.Errorf("ref to unknown type definition %q", t.Reference.ID)
		}
		return &valueType{kind: "ref", obj: obj}, nil
	case "union":
		if len(t.Types) == 0 {
			return nil, errors.New("union without member types")
		}
		u := &valueType{kind: "union"}
		for i := range t.Types {
			m, err := convertType(&t.Types[i], objects)
			if err != nil {
				return nil, err
			}
			u.members = append(u.members, m)
		}
		return u, nil
	}
	return nil, fmt.Errorf("unknown type %q", t.Type)
}
