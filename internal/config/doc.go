// Package config owns the fleet description, ethfleet.yaml.
//
// Loading happens in three steps, each reporting every problem it finds at
// once rather than stopping at the first:
//
//  1. parse strictly: YAML syntax, then unknown keys and wrong types, each
//     error naming the file, line and key path;
//  2. fill defaults for everything left unset;
//  3. validate the result, naming the file, line and key of each bad value.
//
// Secrets (URLs carrying API keys, API keys themselves) are written as
// ${ENV_NAME} references and held in a Secret, which prints as written and
// reveals the resolved value only when asked to.
package config
