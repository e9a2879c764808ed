package ebstest

import (
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// checkTags returns the tags of specs for a resource of type want,
// refusing what EC2 refuses: a TagSpecification for another resource
// type; a key that is empty or starts with "aws:"; a key longer than 128
// characters or a value longer than 256; a key given twice; more than 50
// tags (the EC2 User Guide's tag restrictions,
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions).
func checkTags(op string, specs []types.TagSpecification, want types.ResourceType) ([]types.Tag, error) {
	var tags []types.Tag
	seen := map[string]bool{}
	for _, spec := range specs {
		if spec.ResourceType != want {
			return nil, APIError(op, CodeInvalidParameterValue, "'%s' is not a valid taggable resource type for this operation.", spec.ResourceType)
		}
		for _, t := range spec.Tags {
			key, value := aws.ToString(t.Key), aws.ToString(t.Value)
			switch {
			case key == "" || strings.HasPrefix(strings.ToLower(key), "aws:"):
				return nil, APIError(op, CodeTagKeyMalformed, "Tag key '%s' is not valid: keys cannot be empty or start with aws:", key)
			case utf8.RuneCountInString(key) > 128:
				return nil, APIError(op, CodeInvalidParameterValue, "Tag key exceeds the maximum length of 128 characters")
			case utf8.RuneCountInString(value) > 256:
				return nil, APIError(op, CodeInvalidParameterValue, "Tag value exceeds the maximum length of 256 characters")
			case seen[key]:
				return nil, APIError(op, CodeInvalidParameterValue, "Duplicate tag key '%s' specified.", key)
			}
			seen[key] = true
			tags = append(tags, types.Tag{Key: aws.String(key), Value: aws.String(value)})
		}
	}
	if len(tags) > 50 {
		return nil, APIError(op, "TagLimitExceeded", "The maximum number of tags per resource, 50, has been exceeded.")
	}
	return tags, nil
}
