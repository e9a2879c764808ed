package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
	"github.com/ethfleet/ethfleet/internal/render/cfn"
	"github.com/ethfleet/ethfleet/internal/render/compose"
	"github.com/ethfleet/ethfleet/internal/render/k8s"
)

// renderers maps each target of `ethfleet render` to its renderer.
var renderers = map[string]func(*config.Config) ([]render.File, error){
	config.TargetAWS:        cfn.Render,
	config.TargetKubernetes: k8s.Render,
	config.TargetCompose:    compose.Render,
}

func newRenderCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Render the fleet description for a deploy target",
		Long: `render turns the fleet description into what a target runs:

  aws      a CloudFormation template (template.yaml) and its parameters (parameters.json)
  k8s      Kubernetes manifests, numbered in the order kubectl apply -f DIR needs
  compose  a docker compose project for one host

Nothing is written unless the whole description can be deployed there.
Secrets stay ${NAME} references; the rendered files carry none.`,
	}
	for _, target := range []string{config.TargetAWS, config.TargetKubernetes, config.TargetCompose} {
		cmd.AddCommand(newRenderTargetCmd(target))
	}
	return cmd
}

func newRenderTargetCmd(target string) *cobra.Command {
	var file, out string
	cmd := &cobra.Command{
		Use:   target + " --config FILE [--out DIR]",
		Short: "Render for " + target,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := renderTarget(file, target)
			if err != nil {
				return err
			}
			if err := render.Write(out, files); err != nil {
				return err
			}
			for _, f := range files {
				fmt.Fprintln(cmd.OutOrStdout(), filepath.Join(out, f.Path))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "config", "", "the fleet description (YAML)")
	cmd.Flags().StringVar(&out, "out", filepath.Join("rendered", target), "the directory to write into")
	cmd.MarkFlagRequired("config")
	return cmd
}

// renderTarget loads the description without resolving its secrets, checks
// it against the target and renders it.
func renderTarget(file, target string) ([]render.File, error) {
	cfg, err := config.LoadUnresolved(file)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid:\n%w", file, err)
	}
	if err := cfg.CheckTarget(target); err != nil {
		return nil, fmt.Errorf("%s cannot be deployed to %s:\n%w", file, target, err)
	}
	return renderers[target](cfg)
}
