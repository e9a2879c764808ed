package ebstest

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// fields returns a resource's values for a filter name, and whether the
// name is a filter at all.
type fields func(name string) (values []string, known bool)

// checkFilters refuses a filter with no name, no values, or a name
// fields does not know, as EC2 refuses them: InvalidParameterValue, "The
// filter 'x' is invalid".
func checkFilters(op string, filters []types.Filter, f fields) error {
	for _, flt := range filters {
		name := aws.ToString(flt.Name)
		if _, known := f(name); !known {
			return APIError(op, CodeInvalidParameterValue, "The filter '%s' is invalid", name)
		}
		if len(flt.Values) == 0 {
			return APIError(op, CodeInvalidParameterValue, "The filter '%s' has no values", name)
		}
	}
	return nil
}

// matches reports whether a resource passes every filter (AND) by one of
// its values (OR).
func matches(filters []types.Filter, f fields) bool {
	for _, flt := range filters {
		have, _ := f(aws.ToString(flt.Name))
		if !anyMatch(flt.Values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if glob(p, v) {
				return true
			}
		}
	}
	return false
}

// tagValues answers the tag filters for tags: "tag:KEY" and "tag-key".
func tagValues(tags []types.Tag, name string) ([]string, bool) {
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		for _, t := range tags {
			if aws.ToString(t.Key) == key {
				return []string{aws.ToString(t.Value)}, true
			}
		}
		return nil, true
	}
	if name == "tag-key" {
		var keys []string
		for _, t := range tags {
			keys = append(keys, aws.ToString(t.Key))
		}
		return keys, true
	}
	return nil, false
}

// glob matches value against an EC2 filter value: '*' matches any run of
// characters, '?' any one, and '\' makes the next character literal.
func glob(pattern, value string) bool {
	type elem struct {
		r        rune
		any, one bool
	}
	var elems []elem
	p := []rune(pattern)
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			i++
			elems = append(elems, elem{r: p[i]})
		case p[i] == '*':
			elems = append(elems, elem{any: true})
		case p[i] == '?':
			elems = append(elems, elem{one: true})
		default:
			elems = append(elems, elem{r: p[i]})
		}
	}
	v := []rune(value)
	// ok[j]: elems[:i] match v[:j].
	ok := make([]bool, len(v)+1)
	ok[0] = true
	for _, e := range elems {
		next := make([]bool, len(v)+1)
		for j := range next {
			switch {
			case e.any:
				next[j] = ok[j] || (j > 0 && next[j-1])
			case j == 0:
			case e.one:
				next[j] = ok[j-1]
			default:
				next[j] = ok[j-1] && v[j-1] == e.r
			}
		}
		ok = next
	}
	return ok[len(v)]
}

// page cuts one page out of items. MaxResults below 5 is refused and
// above max is taken as max, as the API reference's MaxResults
// descriptions have said ("This value can be between 5 and 1,000" for
// DescribeSnapshots, 500 for DescribeVolumes); without MaxResults every
// item comes back at once. PageSize, if set, caps the page further.
func (f *EC2) page(op string, n int, maxResults *int32, nextToken *string, max int) (from, to int, next *string, err error) {
	size := n
	if maxResults != nil {
		m := int(*maxResults)
		if m < 5 {
			return 0, 0, nil, APIError(op, CodeInvalidParameterValue, "Value (%d) for parameter maxResults is invalid. Expecting a value greater than 5.", m)
		}
		size = min(m, max)
	}
	if f.PageSize > 0 {
		size = min(size, f.PageSize)
	}
	if t := aws.ToString(nextToken); t != "" {
		off, err := strconv.Atoi(strings.TrimPrefix(t, "page-"))
		if err != nil || !strings.HasPrefix(t, "page-") || off < 0 || off > n {
			return 0, 0, nil, APIError(op, "InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
		}
		from = off
	}
	to = min(from+size, n)
	if to < n {
		next = aws.String("page-" + strconv.Itoa(to))
	}
	return from, to, next, nil
}
