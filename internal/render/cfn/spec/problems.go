package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a template: where (a path such as
// Resources.NodeSG.Properties.SecurityGroupIngress[2].FromPort) and what.
type Problem struct {
	Path    string
	Message string

	// mismatch marks "want T, got V" at Path: the value's shape did not fit
	// its type at all (used to pick which member of a union to blame).
	mismatch bool
}

func (p Problem) String() string {
	return p.Path + ": " + p.Message
}

// Problems is every problem found in a template, sorted by path (so a
// mapping's own problems come before those of its keys), then by message. Validate returns it as its error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	noun := "problems"
	if len(ps) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("%d %s in CloudFormation template:\n%s", len(ps), noun, strings.Join(lines, "\n"))
}

// sorted returns ps sorted, without repeats.
func (ps Problems) sorted() Problems {
	out := slices.Clone(ps)
	slices.SortFunc(out, func(a, b Problem) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.CompactFunc(out, func(a, b Problem) bool { return a.Path == b.Path && a.Message == b.Message })
}

// key and index extend a path.
func key(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
