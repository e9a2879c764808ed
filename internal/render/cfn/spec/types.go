package spec

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tagObject is the {Key, Value} of a tag-typed value.
var tagObject = &object{
	name: "Tag",
	props: map[string]property{
		"Key":   {typ: stringType, required: true},
		"Value": {typ: stringType, required: true},
	},
}

// checkValue checks that val fits t.
func (v *validator) checkValue(path string, val any, t *valueType) {
	if fn, arg, ok := intrinsic(val); ok {
		v.checkFunctionValue(path, fn, arg, t)
		return
	}
	fits := true
	switch t.kind {
	case "string", "date-time":
		fits = isScalar(val)
	case "integer":
		fits = isInteger(val)
	case "number":
		fits = isNumber(val)
	case "boolean":
		fits = isBoolean(val)
	case "json":
		switch val.(type) {
		case map[string]any, []any, string:
		default:
			fits = false
		}
	case "array":
		list, ok := val.([]any)
		for i, e := range list {
			v.checkValue(index(path, i), e, t.element)
		}
		fits = ok
	case "map":
		m, ok := val.(map[string]any)
		for k, e := range m {
			v.checkValue(key(path, k), e, t.element)
		}
		fits = ok
	case "tag", "ref":
		m, ok := val.(map[string]any)
		if ok {
			obj := t.obj
			if t.kind == "tag" {
				obj = tagObject
			}
			v.checkObject(path, m, obj)
		}
		fits = ok
	case "union":
		v.checkUnion(path, val, t)
	}
	if !fits {
		v.mismatch(path, t, describeValue(val))
	}
}

func (v *validator) mismatch(path string, t *valueType, got string) {
	v.problems = append(v.problems, Problem{
		Path:     path,
		Message:  fmt.Sprintf("want %s, got %s", describeType(t), got),
		mismatch: true,
	})
}

// checkObject checks a mapping's keys and values against an object type. A
// type definition without properties in the specification takes any keys.
func (v *validator) checkObject(path string, m map[string]any, obj *object) {
	if len(obj.props) == 0 {
		return
	}
	for k, val := range m {
		p, ok := obj.props[k]
		if !ok {
			v.addf(key(path, k), "unknown property of %s", obj.name)
			continue
		}
		v.checkValue(key(path, k), val, p.typ)
	}
	for name, p := range obj.props {
		if _, ok := m[name]; p.required && !ok {
			v.addf(path, "missing required property %s", name)
		}
	}
}

// checkUnion accepts val if any member type does. Otherwise, if val has the
// shape of exactly one member (an object for the only object type, say), the
// problems found against that member are reported; if not, one mismatch.
func (v *validator) checkUnion(path string, val any, t *valueType) {
	var shaped []Problems
	for _, m := range t.members {
		problems := v.trial(path, val, m)
		if len(problems) == 0 {
			return
		}
		if !slices.ContainsFunc(problems, func(p Problem) bool { return p.mismatch && p.Path == path }) {
			shaped = append(shaped, problems)
		}
	}
	if len(shaped) == 1 {
		v.problems = append(v.problems, shaped[0]...)
		return
	}
	if fn, _, ok := intrinsic(val); ok {
		v.mismatch(path, t, fn)
		return
	}
	v.mismatch(path, t, describeValue(val))
}

// trial returns the problems of val against t without recording them.
func (v *validator) trial(path string, val any, t *valueType) Problems {
	saved := v.problems
	v.problems = nil
	v.checkValue(path, val, t)
	found := v.problems
	v.problems = saved
	return found
}

// What an intrinsic function produces, as far as type checking goes.
const (
	producesScalar = "a scalar"
	producesList   = "a list"
	producesAny    = ""
)

// checkFunctionValue checks that what an intrinsic function produces fits t.
func (v *validator) checkFunctionValue(path, fn string, arg any, t *valueType) {
	if t.kind == "union" {
		v.checkUnion(path, map[string]any{fn: arg}, t)
		return
	}
	if fn == "Fn::If" {
		if args, ok := arg.([]any); ok && len(args) == 3 {
			v.checkValue(index(key(path, fn), 1), args[1], t)
			v.checkValue(index(key(path, fn), 2), args[2], t)
		}
		return
	}
	produces := v.produces(fn, arg)
	var fits bool
	switch produces {
	case producesAny:
		fits = true
	case producesScalar:
		fits = !slices.Contains([]string{"array", "map", "tag", "ref"}, t.kind)
	case producesList:
		fits = t.kind == "array" || t.kind == "json"
	}
	if !fits {
		v.mismatch(path, t, fmt.Sprintf("%s (%s)", fn, produces))
	}
}

func (v *validator) produces(fn string, arg any) string {
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		if name == "AWS::NoValue" {
			return producesAny
		}
		if name == "AWS::NotificationARNs" || isListParameter(v.parameters[name]) {
			return producesList
		}
		return producesScalar
	case "Fn::GetAtt":
		res, attr, ok := getAttArgs(arg)
		if !ok || attr == "" {
			return producesAny
		}
		switch t := v.attribute(v.resources[res], attr); {
		case t == nil: // unknown: reported by walk
			return producesAny
		case t.kind == "array":
			return producesList
		case slices.Contains([]string{"string", "integer", "number", "boolean", "date-time"}, t.kind):
			return producesScalar
		}
		return producesAny
	case "Fn::GetAZs", "Fn::Split", "Fn::Cidr":
		return producesList
	case "Fn::Base64", "Fn::ImportValue", "Fn::Join", "Fn::Length", "Fn::Sub", "Fn::ToJsonString":
		return producesScalar
	}
	// Fn::Select and Fn::FindInMap give whatever they pick; Fn::Transform
	// whatever its macro makes; unknown functions are reported by walk.
	return producesAny
}

// isListParameter reports whether a parameter of this Type is a list:
// List<...>, CommaDelimitedList, and their SSM parameter forms.
func isListParameter(typ string) bool {
	return strings.Contains(typ, "List<") || strings.Contains(typ, "CommaDelimitedList")
}

func isScalar(val any) bool {
	switch val.(type) {
	case string, json.Number, bool:
		return true
	}
	return false
}

// isBoolean accepts booleans, also written as strings ("true").
func isBoolean(val any) bool {
	_, ok := val.(bool)
	return ok || val == "true" || val == "false"
}

// isInteger accepts integers, also written as strings ("8545").
func isInteger(val any) bool {
	s, ok := numeral(val)
	_, err := strconv.ParseInt(s, 10, 64)
	return ok && err == nil
}

// isNumber accepts numbers, also written as strings ("0.5").
func isNumber(val any) bool {
	s, ok := numeral(val)
	_, err := strconv.ParseFloat(s, 64)
	return ok && err == nil
}

// numeral returns the text of a number or string.
func numeral(val any) (string, bool) {
	switch val := val.(type) {
	case json.Number:
		return string(val), true
	case string:
		return val, true
	}
	return "", false
}

// describeType names a type in messages: integer, list of string,
// AWS::EC2::SecurityGroup.Ingress, string or JSON, ...
func describeType(t *valueType) string {
	switch t.kind {
	case "json":
		return "JSON"
	case "tag":
		return "tag {Key, Value}"
	case "array":
		return "list of " + describeType(t.element)
	case "map":
		return "map of " + describeType(t.element)
	case "ref":
		return t.obj.name
	case "union":
		names := make([]string, len(t.members))
		for i, m := range t.members {
			names[i] = describeType(m)
		}
		return strings.Join(names, " or ")
	}
	return t.kind
}

// describeValue names a value in messages: string "x", integer 5, list, ...
func describeValue(val any) string {
	switch val := val.(type) {
	case nil:
		return "null"
	case string:
		const max = 40
		if utf8.RuneCountInString(val) > max {
			val = string([]rune(val)[:max]) + "..."
		}
		return fmt.Sprintf("string %q", val)
	case json.Number:
		if isInteger(val) {
			return "integer " + string(val)
		}
		return "number " + string(val)
	case bool:
		return fmt.Sprintf("boolean %t", val)
	case []any:
		return "list"
	case map[string]any:
		if fn, _, ok := intrinsic(val); ok {
			return fn
		}
		return "object"
	}
	return fmt.Sprintf("%T", val)
}
