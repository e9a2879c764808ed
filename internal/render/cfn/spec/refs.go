package spec

import (
	"slices"
	"strings"
)

// pseudoParameters are the names a Ref can take besides parameters and
// resources.
var pseudoParameters = []string{
	"AWS::AccountId", "AWS::NoValue", "AWS::NotificationARNs", "AWS::Partition",
	"AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}

// functions are the intrinsic functions allowed in resources and outputs;
// conditionFunctions only in Conditions (and Fn::If's branches there).
var (
	functions = []string{
		"Ref", "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs",
		"Fn::If", "Fn::ImportValue", "Fn::Join", "Fn::Length", "Fn::Select", "Fn::Split",
		"Fn::Sub", "Fn::ToJsonString", "Fn::Transform",
	}
	conditionFunctions = []string{"Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or", "Condition"}
)

// intrinsic reports whether val is an intrinsic function: a mapping with one
// key, Ref or Fn::Something.
func intrinsic(val any) (fn string, arg any, ok bool) {
	m, isMap := val.(map[string]any)
	if !isMap || len(m) != 1 {
		return "", nil, false
	}
	for k, a := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, a, true
		}
	}
	return "", nil, false
}

// walk finds every intrinsic function in val and checks what it refers to.
// inConditions is set in the Conditions section, where {"Condition": Name}
// and the condition functions are allowed.
func (v *validator) walk(path string, val any, inConditions bool) {
	switch val := val.(type) {
	case []any:
		for i, e := range val {
			v.walk(index(path, i), e, inConditions)
		}
	case map[string]any:
		fn, arg, ok := intrinsic(val)
		if !ok && inConditions && len(val) == 1 && val["Condition"] != nil {
			fn, arg, ok = "Condition", val["Condition"], true
		}
		if !ok {
			for k, e := range val {
				v.walk(key(path, k), e, inConditions)
			}
			return
		}
		fnPath := key(path, fn)
		switch {
		case slices.Contains(functions, fn):
			v.function(fnPath, fn, arg)
		case !slices.Contains(conditionFunctions, fn):
			v.addf(fnPath, "unknown intrinsic function")
		case !inConditions:
			v.addf(fnPath, "only allowed in Conditions")
		case fn == "Condition":
			v.conditionName(fnPath, arg)
		}
		v.walk(fnPath, arg, inConditions)
	}
}

// function checks the names one intrinsic function refers to.
func (v *validator) function(path, fn string, arg any) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			v.addf(path, "want a name, got %s", describeValue(arg))
			return
		}
		v.refName(path, "", name)
	case "Fn::GetAtt":
		res, attr, ok := getAttArgs(arg)
		if !ok {
			v.addf(path, "want [resource, attribute], got %s", describeValue(arg))
			return
		}
		v.getAtt(path, "", res, attr)
	case "Fn::Sub":
		v.sub(path, arg)
	case "Fn::If":
		args, ok := arg.([]any)
		if !ok || len(args) != 3 {
			v.addf(path, "want [condition, value if true, value if false], got %s", describeValue(arg))
			return
		}
		v.conditionName(index(path, 0), args[0])
	case "Fn::FindInMap":
		args, ok := arg.([]any)
		if !ok || len(args) < 3 {
			v.addf(path, "want [mapping, top-level key, second-level key], got %s", describeValue(arg))
			return
		}
		if name, ok := args[0].(string); ok && !v.mappings[name] {
			v.addf(index(path, 0), "unknown mapping %q", name)
		}
	}
}

// getAttArgs splits Fn::GetAtt's argument: [resource, attribute] or
// "resource.attribute". attr is "" when the attribute is itself an
// intrinsic function (allowed, but not checkable).
func getAttArgs(arg any) (res, attr string, ok bool) {
	switch arg := arg.(type) {
	case string:
		return strings.Cut(arg, ".")
	case []any:
		if len(arg) != 2 {
			return "", "", false
		}
		res, ok := arg[0].(string)
		if !ok {
			return "", "", false
		}
		if attr, ok := arg[1].(string); ok {
			return res, attr, true
		}
		_, _, ok = intrinsic(arg[1])
		return res, "", ok
	}
	return "", "", false
}

// refName checks a name given to Ref or used as ${name} in Fn::Sub
// (prefix then names it in the message).
func (v *validator) refName(path, prefix, name string) {
	if _, ok := v.parameters[name]; ok || v.hasResource(name) || slices.Contains(pseudoParameters, name) {
		return
	}
	v.addf(path, "%s%q is not a parameter, resource or pseudo parameter", prefix, name)
}

// getAtt checks Fn::GetAtt's resource and attribute, or those of a
// ${resource.attribute} in Fn::Sub (prefix then names it in the message).
func (v *validator) getAtt(path, prefix, res, attr string) {
	typ, ok := v.resources[res]
	if !ok {
		v.addf(path, "%s%q is not a resource", prefix, res)
		return
	}
	if attr == "" || v.attribute(typ, attr) != nil {
		return
	}
	if r := v.spec.resources[typ]; r != nil {
		v.addf(path, "%s%s has no attribute %q", prefix, typ, attr)
	}
}

// anyType is what attribute returns for attributes it cannot know: those of
// custom resources and of resources of unknown type.
var anyType = scalarTypes["json"]

// attribute returns the type of a resource type's attribute, or nil if it
// has no such attribute.
func (v *validator) attribute(resourceType, attr string) *valueType {
	r := v.spec.resources[resourceType]
	if r == nil || isCustom(resourceType) {
		return anyType
	}
	if t, ok := r.attributes[attr]; ok {
		return t
	}
	// A nested stack's outputs: Outputs.Name.
	if _, ok := r.attributes["Outputs"]; ok && strings.HasPrefix(attr, "Outputs.") {
		return stringType
	}
	return nil
}

// sub checks the ${...} references in Fn::Sub's string: "string" or
// ["string", {variable: value, ...}].
func (v *validator) sub(path string, arg any) {
	var text string
	var vars map[string]any
	switch arg := arg.(type) {
	case string:
		text = arg
	case []any:
		var s string
		if len(arg) == 2 {
			s, _ = arg[0].(string)
			vars, _ = arg[1].(map[string]any)
		}
		if vars == nil {
			v.addf(path, "want a string or [string, {variable: value}], got %s", describeValue(arg))
			return
		}
		text = s
	default:
		v.addf(path, "want a string or [string, {variable: value}], got %s", describeValue(arg))
		return
	}
	for _, name := range subNames(text) {
		if _, ok := vars[name]; ok {
			continue
		}
		prefix := "${" + name + "}: "
		if res, attr, ok := strings.Cut(name, "."); ok {
			v.getAtt(path, prefix, res, attr)
		} else {
			v.refName(path, prefix, name)
		}
	}
}

// subNames returns the names in the ${...} of an Fn::Sub string, leaving out
// ${!Literal}s.
func subNames(s string) []string {
	var names []string
	for {
		_, rest, ok := strings.Cut(s, "${")
		if !ok {
			return names
		}
		if strings.HasPrefix(rest, "!") {
			s = rest[1:]
			continue
		}
		name, after, ok := strings.Cut(rest, "}")
		if !ok {
			return names
		}
		names = append(names, strings.TrimSpace(name))
		s = after
	}
}
