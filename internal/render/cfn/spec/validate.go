package spec

import (
	"fmt"
	"slices"
	"strings"
)

// sections are the top-level keys a template may have.
var sections = []string{
	"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules",
	"Mappings", "Conditions", "Transform", "Resources", "Outputs",
}

// resourceKeys are the keys a resource may have.
var resourceKeys = []string{
	"Type", "Properties", "DependsOn", "Condition", "Metadata",
	"DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy",
}

var outputKeys = []string{"Description", "Value", "Export", "Condition"}

// validator collects the problems of one template.
type validator struct {
	spec       *Spec
	parameters map[string]string // logical id → parameter Type
	resources  map[string]string // logical id → resource Type
	conditions map[string]bool
	mappings   map[string]bool
	problems   Problems
}

func (v *validator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks a template (JSON or YAML) against the specification. It
// returns an error for a template it cannot parse, Problems listing every
// problem found, or nil.
func (s *Spec) Validate(template []byte) error {
	top, err := parseTemplate(template)
	if err != nil {
		return err
	}
	v := &validator{
		spec:       s,
		parameters: map[string]string{},
		resources:  map[string]string{},
		conditions: map[string]bool{},
		mappings:   map[string]bool{},
	}
	v.template(top)
	if len(v.problems) == 0 {
		return nil
	}
	return v.problems.sorted()
}

func (v *validator) template(top map[string]any) {
	for name := range top {
		if !slices.Contains(sections, name) {
			v.addf(name, "unknown template section")
		}
	}
	if version, ok := top["AWSTemplateFormatVersion"]; ok && version != "2010-09-09" {
		v.addf("AWSTemplateFormatVersion", `want "2010-09-09", got %s`, describeValue(version))
	}

	// Names first: references anywhere may point at any of them.
	parameters := v.section(top, "Parameters")
	for name, p := range parameters {
		typ, _ := p["Type"].(string)
		if typ == "" {
			v.addf(key(key("Parameters", name), "Type"), "missing")
		}
		v.parameters[name] = typ
	}
	for name := range v.section(top, "Mappings") {
		v.mappings[name] = true
	}
	conditions := v.section(top, "Conditions")
	for name := range conditions {
		v.conditions[name] = true
	}
	if _, ok := top["Resources"]; !ok {
		v.addf("Resources", "missing")
	}
	resources := v.section(top, "Resources")
	for name, r := range resources {
		typ, _ := r["Type"].(string)
		v.resources[name] = typ
	}

	for name, c := range conditions {
		v.walk(key("Conditions", name), c, true)
	}
	for name, r := range resources {
		v.resource(key("Resources", name), r)
	}
	for name, o := range v.section(top, "Outputs") {
		v.output(key("Outputs", name), o)
	}
}

// section returns a top-level section whose entries are all mappings;
// entries that are not are reported and left out.
func (v *validator) section(top map[string]any, name string) map[string]map[string]any {
	raw, ok := top[name]
	if !ok {
		return nil
	}
	entries, ok := raw.(map[string]any)
	if !ok {
		v.addf(name, "want a mapping, got %s", describeValue(raw))
		return nil
	}
	out := make(map[string]map[string]any, len(entries))
	for id, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			v.addf(key(name, id), "want a mapping, got %s", describeValue(e))
			continue
		}
		out[id] = m
	}
	return out
}

func (v *validator) resource(path string, r map[string]any) {
	for k := range r {
		if !slices.Contains(resourceKeys, k) {
			v.addf(key(path, k), "unknown resource key (want one of %s)", strings.Join(resourceKeys, ", "))
		}
	}
	v.dependsOn(key(path, "DependsOn"), r["DependsOn"])
	if c, ok := r["Condition"]; ok {
		v.conditionName(key(path, "Condition"), c)
	}
	if m, ok := r["Metadata"]; ok {
		v.walk(key(path, "Metadata"), m, false)
	}
	props, hasProps := r["Properties"]
	if hasProps {
		v.walk(key(path, "Properties"), props, false)
	}

	typ, ok := r["Type"].(string)
	switch {
	case !ok:
		v.addf(key(path, "Type"), "want a resource type, got %s", describeValue(r["Type"]))
	case isCustom(typ):
		// A custom resource's properties are whatever its handler takes.
	case v.spec.resources[typ] == nil:
		v.addf(key(path, "Type"), "unknown resource type %q", typ)
	case !hasProps:
		v.checkObject(key(path, "Properties"), map[string]any{}, &v.spec.resources[typ].object)
	default:
		v.checkValue(key(path, "Properties"), props, &valueType{kind: "ref", obj: &v.spec.resources[typ].object})
	}
}

func isCustom(resourceType string) bool {
	return strings.HasPrefix(resourceType, "Custom::") || resourceType == "AWS::CloudFormation::CustomResource"
}

func (v *validator) dependsOn(path string, deps any) {
	switch deps := deps.(type) {
	case nil:
	case string:
		v.resourceName(path, deps)
	case []any:
		for i, d := range deps {
			v.resourceName(index(path, i), d)
		}
	default:
		v.addf(path, "want a resource name or a list of them, got %s", describeValue(deps))
	}
}

func (v *validator) resourceName(path string, name any) {
	s, ok := name.(string)
	switch {
	case !ok:
		v.addf(path, "want a resource name, got %s", describeValue(name))
	case !v.hasResource(s):
		v.addf(path, "unknown resource %q", s)
	}
}

func (v *validator) hasResource(name string) bool {
	_, ok := v.resources[name]
	return ok
}

func (v *validator) conditionName(path string, name any) {
	s, ok := name.(string)
	switch {
	case !ok:
		v.addf(path, "want a condition name, got %s", describeValue(name))
	case !v.conditions[s]:
		v.addf(path, "unknown condition %q", s)
	}
}

var stringType = scalarTypes["string"]

func (v *validator) output(path string, o map[string]any) {
	for k := range o {
		if !slices.Contains(outputKeys, k) {
			v.addf(key(path, k), "unknown output key (want one of %s)", strings.Join(outputKeys, ", "))
		}
	}
	if c, ok := o["Condition"]; ok {
		v.conditionName(key(path, "Condition"), c)
	}
	value, ok := o["Value"]
	if !ok {
		v.addf(path, "missing Value")
	} else {
		v.walk(key(path, "Value"), value, false)
		v.checkValue(key(path, "Value"), value, stringType)
	}
	export, ok := o["Export"]
	if !ok {
		return
	}
	v.walk(key(path, "Export"), export, false)
	exportType := &valueType{kind: "ref", obj: &object{
		name:  "Export",
		props: map[string]property{"Name": {typ: stringType, required: true}},
	}}
	v.checkValue(key(path, "Export"), export, exportType)
}
