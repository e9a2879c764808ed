package spec

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// EnvPath names the environment variable that, when set, gives the path of
// the specification's db.json.gz to Find.
const EnvPath = "ETHFLEET_CFN_SPEC"

// CachePath is where .ci/fetch-cfn-spec puts the specification, relative to
// the module root.
const CachePath = ".cache/aws-service-spec/db.json.gz"

// Spec is the part of the CloudFormation resource specification that
// validation needs. It is read-only once loaded and safe for concurrent use.
type Spec struct {
	resources map[string]*resourceType // by CloudFormation type, e.g. AWS::EC2::VPC
}

// resourceType is one resource type: its properties and its attributes (what
// Fn::GetAtt can read, some with dots in their names, e.g. Endpoint.Address).
type resourceType struct {
	object
	attributes map[string]*valueType
}

// object is a set of named properties: a resource's Properties or a property
// type (type definition). name is what messages call it, e.g.
// AWS::EC2::SecurityGroup or AWS::EC2::SecurityGroup.Ingress.
type object struct {
	name  string
	props map[string]property
}

type property struct {
	typ      *valueType
	required bool
}

// valueType is the type of a property or attribute. kind is one of string,
// integer, number, boolean, date-time, json, tag, ref (a type definition:
// obj), array and map (of element), or union (any of members).
type valueType struct {
	kind    string
	element *valueType
	obj     *object
	members []*valueType
}

// Find returns the path of the specification: $ETHFLEET_CFN_SPEC if set,
// else CachePath under the module root (the nearest directory above the
// working directory that holds go.mod). Its error wraps fs.ErrNotExist when
// the file is not there.
func Find() (string, error) {
	if path := os.Getenv(EnvPath); path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("cfn spec from $%s: %w", EnvPath, err)
		}
		return path, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("cfn spec: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			path := filepath.Join(dir, filepath.FromSlash(CachePath))
			if _, err := os.Stat(path); err != nil {
				return "", fmt.Errorf("cfn spec (run .ci/fetch-cfn-spec): %w", err)
			}
			return path, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("cfn spec: no go.mod in %s or above: %w", wd, fs.ErrNotExist)
		}
	}
}

// The parts of db.json.gz that Load decodes; everything else (documentation,
// metrics, events, regions, ...) is skipped.
type dbFile struct {
	Schema struct {
		Resource struct {
			Entities []dbResource `json:"entities"`
		} `json:"resource"`
		TypeDefinition struct {
			Entities []dbTypeDefinition `json:"entities"`
		} `json:"typeDefinition"`
		UsesType struct {
			Forward map[string][]dbID `json:"forward"` // resource $id → type definitions
		} `json:"usesType"`
	} `json:"schema"`
}

type dbID struct {
	ID string `json:"$id"`
}

type dbResource struct {
	ID                 string                `json:"$id"`
	CloudFormationType string                `json:"cloudFormationType"`
	Properties         map[string]dbProperty `json:"properties"`
	Attributes         map[string]dbProperty `json:"attributes"`
}

type dbTypeDefinition struct {
	ID         string                `json:"$id"`
	Name       string                `json:"name"`
	Properties map[string]dbProperty `json:"properties"`
}

type dbProperty struct {
	Type     dbType `json:"type"`
	Required bool   `json:"required"`
}

type dbType struct {
	Type      string   `json:"type"`
	Element   *dbType  `json:"element"`
	Reference *dbRef   `json:"reference"`
	Types     []dbType `json:"types"`
}

type dbRef struct {
	ID string `json:"$ref"`
}

// Load reads the specification from a db.json.gz file.
func Load(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cfn spec: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("cfn spec %s: %w", path, err)
	}
	var db dbFile
	if err := json.NewDecoder(zr).Decode(&db); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("file cut short (an interrupted download? run .ci/fetch-cfn-spec again): %w", err)
		}
		return nil, fmt.Errorf("cfn spec %s: %w", path, err)
	}
	s, err := build(&db)
	if err != nil {
		return nil, fmt.Errorf("cfn spec %s: %w", path, err)
	}
	return s, nil
}
