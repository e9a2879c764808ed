package cfn

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Template is a CloudFormation template.
type Template struct {
	AWSTemplateFormatVersion string               `yaml:"AWSTemplateFormatVersion"`
	Description              string               `yaml:"Description"`
	Metadata                 map[string]any       `yaml:"Metadata,omitempty"`
	Parameters               map[string]Parameter `yaml:"Parameters,omitempty"`
	Conditions               map[string]any       `yaml:"Conditions,omitempty"`
	Resources                map[string]Resource  `yaml:"Resources"`
	Outputs                  map[string]Output    `yaml:"Outputs,omitempty"`
}

// Parameter is a template parameter.
type Parameter struct {
	Type        string `yaml:"Type"`
	Description string `yaml:"Description,omitempty"`
	Default     string `yaml:"Default,omitempty"`
}

// Resource is one resource of a template; Properties is one of the typed
// property structs of this package.
type Resource struct {
	Type         string   `yaml:"Type"`
	Condition    string   `yaml:"Condition,omitempty"`
	DependsOn    []string `yaml:"DependsOn,omitempty"`
	UpdatePolicy any      `yaml:"UpdatePolicy,omitempty"`
	Properties   any      `yaml:"Properties,omitempty"`
}

// Output is a template output, exported when Export is set.
type Output struct {
	Description string  `yaml:"Description,omitempty"`
	Condition   string  `yaml:"Condition,omitempty"`
	Value       any     `yaml:"Value"`
	Export      *Export `yaml:"Export,omitempty"`
}

// Export names an exported output.
type Export struct {
	Name any `yaml:"Name"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `yaml:"Key"`
	Value any    `yaml:"Value"`
}

// fn is an intrinsic function call: a map of one key.
type fn = map[string]any

// Ref refers to a resource, a parameter or a pseudo parameter.
func Ref(id string) any { return fn{"Ref": id} }

// GetAtt is a resource's attribute.
func GetAtt(id, attr string) any { return fn{"Fn::GetAtt": []string{id, attr}} }

// Sub substitutes ${NAME} in s with the resource, parameter or attribute
// NAME; ${!NAME} stays the literal ${NAME}.
func Sub(s string) any { return fn{"Fn::Sub": s} }

// Join joins values with sep.
func Join(sep string, values ...any) any { return fn{"Fn::Join": []any{sep, values}} }

// Select is the i-th element of list.
func Select(i int, list any) any { return fn{"Fn::Select": []any{i, list}} }

// GetAZs lists the Availability Zones of the stack's region.
func GetAZs() any { return fn{"Fn::GetAZs": ""} }

// Cidr splits block into count blocks of hostBits host bits each.
func Cidr(block any, count, hostBits int) any { return fn{"Fn::Cidr": []any{block, count, hostBits}} }

// Base64 encodes v, as user data must be.
func Base64(v any) any { return fn{"Fn::Base64": v} }

// If is then when condition holds, otherwise els.
func If(condition string, then, els any) any { return fn{"Fn::If": []any{condition, then, els}} }

// Marshal writes t as YAML: struct fields in declaration order, map keys
// sorted.
func (t *Template) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, fmt.Errorf("cfn: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cfn: %w", err)
	}
	return b.Bytes(), nil
}

// add adds a resource, refusing a logical id taken already.
func (t *Template) add(id string, r Resource) {
	if _, taken := t.Resources[id]; taken {
		panic("cfn: logical id " + id + " used twice")
	}
	t.Resources[id] = r
}
