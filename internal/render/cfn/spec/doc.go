// Package spec checks CloudFormation templates against AWS's published
// resource specification, so that a rendered stack is known to be well formed
// before it reaches CloudFormation.
//
// The specification is the db.json.gz of the npm package
// @aws-cdk/aws-service-spec (the database the AWS CDK generates its L1
// constructs from). .ci/fetch-cfn-spec downloads a pinned version into the
// git-ignored .cache/aws-service-spec/; Find locates it there (or wherever
// $ETHFLEET_CFN_SPEC points) and Load keeps the parts validation needs:
// every resource type with its properties (type, required) and attributes,
// and the property types (type definitions) they use.
//
// Validate parses a template (JSON, or YAML with long-form intrinsics or the
// short-form tags !Ref, !Sub, !GetAtt a.b, ...) and reports every problem at
// once, each with the path to the value at fault:
//
//   - unknown top-level sections, unknown keys in a resource, a resource or
//     output without its Type or Value;
//   - unknown resource types (Custom:: resources and
//     AWS::CloudFormation::CustomResource take any properties);
//   - unknown properties and missing required properties, at any depth;
//   - values of the wrong type: string, integer, number, boolean, date-time,
//     JSON, tag {Key, Value}, list, map, nested property type, or one of
//     several (union). Numbers and booleans written as strings ("8545",
//     "true") pass where CloudFormation accepts them, and so do numbers and
//     booleans where a string is wanted;
//   - intrinsic functions stand for the value they produce: Fn::GetAZs,
//     Fn::Split and Fn::Cidr, a Ref to a list parameter and an Fn::GetAtt of a
//     list attribute are lists; Fn::Sub, Fn::Join, Fn::Base64, Fn::ImportValue
//     and other Refs and Fn::GetAtts are scalars; Fn::Select and Fn::FindInMap
//     may be either; each branch of an Fn::If is checked on its own; a Ref to
//     AWS::NoValue fits anywhere;
//   - references: a Ref to something that is not a parameter, resource or
//     pseudo parameter; an Fn::GetAtt of a resource that does not exist or an
//     attribute its type does not have; the same for ${Name} and
//     ${Resource.Attribute} in Fn::Sub strings (${!Literal} and the names in
//     Fn::Sub's variable map excepted); DependsOn, Condition, Fn::If and
//     Fn::FindInMap naming a resource, condition or mapping that does not
//     exist; unknown intrinsic functions, and condition functions outside
//     Conditions.
//
// Tests get the loaded specification from spectest.Spec, which skips them
// when it has not been fetched (and fails them when $CI is set).
//
// It does not check allowed values, patterns or lengths, the Rules section,
// or templates that rely on a Transform (AWS::Serverless resources are
// unknown types here).
package spec
