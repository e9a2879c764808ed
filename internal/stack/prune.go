package stack

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// KeepTemplates is how many of a stack's uploaded templates Prune keeps:
// CloudFormation copies a template when it creates a change set, so only a
// deploy still on its way needs its object, and a few are kept for such a
// deploy and for reading back what was sent.
const KeepTemplates = 5

// templatePrefix is where Fit puts the templates of the stack named name.
func templatePrefix(name string) string { return "ethfleet/" + name + "/template-" }

// Prune deletes the templates Fit uploaded for the stack named name but the
// KeepTemplates newest, and returns their keys.
func (up *Uploader) Prune(ctx context.Context, name string) ([]string, error) {
	var objects []s3types.Object
	pages := s3.NewListObjectsV2Paginator(up.API, &s3.ListObjectsV2Input{
		Bucket: aws.String(up.Bucket),
		Prefix: aws.String(templatePrefix(name)),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("stack: list the templates of %s in s3://%s: %w", name, up.Bucket, err)
		}
		objects = append(objects, page.Contents...)
	}
	slices.SortFunc(objects, func(a, b s3types.Object) int { // newest first
		return cmp.Or(aws.ToTime(b.LastModified).Compare(aws.ToTime(a.LastModified)), strings.Compare(aws.ToString(b.Key), aws.ToString(a.Key)))
	})
	var deleted []string
	for _, o := range objects[min(KeepTemplates, len(objects)):] {
		_, err := up.API.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(up.Bucket), Key: o.Key})
		if err != nil {
			return deleted, fmt.Errorf("stack: delete s3://%s/%s: %w", up.Bucket, aws.ToString(o.Key), err)
		}
		deleted = append(deleted, aws.ToString(o.Key))
	}
	return deleted, nil
}
