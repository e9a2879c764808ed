package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
	"github.com/ethfleet/ethfleet/internal/render/cfn"
	"github.com/ethfleet/ethfleet/internal/stack"
)

// stackBackend is what deploy and destroy reach beyond the process: a
// CloudFormation client for a region, the stack's renderer and a clock
// (nil: the wall clock).
type stackBackend struct {
	connect func(ctx context.Context, region string) (stack.API, error)
	// objects is S3, where a template too large for a request goes.
	objects func(ctx context.Context, region string) (stack.ObjectAPI, error)
	render  func(*config.Config) ([]render.File, error)
	clock   stack.Clock
}

// awsStacks is the real backend: CloudFormation and S3 with the default
// AWS credentials, and the fleet's CloudFormation renderer.
func awsStacks() stackBackend {
	return stackBackend{connect: connectCloudFormation, objects: connectS3, render: cfn.Render}
}

func connectCloudFormation(ctx context.Context, region string) (stack.API, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("aws: %w", err)
	}
	return cloudformation.NewFromConfig(cfg), nil
}

func connectS3(ctx context.Context, region string) (stack.ObjectAPI, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("aws: %w", err)
	}
	return s3.NewFromConfig(cfg), nil
}

// stackFlags are what deploy and destroy both take.
type stackFlags struct {
	config, region string
	yes            bool
	timeout        time.Duration
}

func (f *stackFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "the fleet description (YAML)")
	fl.StringVar(&f.region, "region", "", "the AWS region (default: aws.region of the description)")
	fl.BoolVar(&f.yes, "yes", false, "go ahead without asking")
	fl.DurationVar(&f.timeout, "timeout", stack.DefaultTimeout, "how long to follow the stack before giving up (it carries on in CloudFormation)")
	cmd.MarkFlagRequired("config")
}

// deployer connects to the region of the description (or --region) and
// shows events on cmd's error stream.
func (f *stackFlags) deployer(cmd *cobra.Command, b stackBackend, cfg *config.Config) (*stack.Deployer, error) {
	api, err := b.connect(cmd.Context(), f.regionOf(cfg))
	if err != nil {
		return nil, err
	}
	out := cmd.ErrOrStderr()
	return &stack.Deployer{API: api, Out: out, Live: isTerminal(out), Clock: b.clock, Timeout: f.timeout}, nil
}

// regionOf is --region, or aws.region of the description.
func (f *stackFlags) regionOf(cfg *config.Config) string {
	if f.region != "" {
		return f.region
	}
	return cfg.AWS.Region
}

// fit makes the stack's template one CloudFormation takes, uploading it to
// aws.templateBucket when it is too large for a request (see stack.Fit).
func (f *stackFlags) fit(cmd *cobra.Command, b stackBackend, cfg *config.Config, s stack.Stack) (stack.Stack, error) {
	var up *stack.Uploader
	if bucket := cfg.AWS.TemplateBucket; bucket != "" && len(s.TemplateBody) > stack.MaxTemplateBody {
		api, err := b.objects(cmd.Context(), f.regionOf(cfg))
		if err != nil {
			return s, err
		}
		up = &stack.Uploader{API: api, Bucket: bucket, Region: f.regionOf(cfg)}
	}
	s, err := stack.Fit(cmd.Context(), s, up)
	if err != nil || s.TemplateURL == "" {
		return s, err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "template: %s\n", s.TemplateURL)
	// Older templates are no longer read; failing to remove them is no
	// reason to stop the deploy.
	deleted, err := up.Prune(cmd.Context(), s.Name)
	if len(deleted) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "removed %d older templates of %s from s3://%s\n", len(deleted), s.Name, up.Bucket)
	}
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v (the %d newest are meant to be kept)\n", err, stack.KeepTemplates)
	}
	return s, nil
}

// mayAsk refuses to go on without --yes where no one can answer.
func (f *stackFlags) mayAsk(cmd *cobra.Command, what string) error {
	if f.yes || isTerminal(cmd.InOrStdin()) {
		return nil
	}
	return fmt.Errorf("stdin is not a terminal, so no one can confirm %s: pass --yes", what)
}

func newDeployCmd(b stackBackend) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Deploy the fleet description to a target",
	}
	cmd.AddCommand(newDeployAWSCmd(b))
	return cmd
}

func newDeployAWSCmd(b stackBackend) *cobra.Command {
	var f stackFlags
	var dryRun, replace bool
	cmd := &cobra.Command{
		Use:   "aws --config FILE [--dry-run] [--yes]",
		Short: "Create or update the fleet's CloudFormation stack through a change set",
		Long: `deploy aws renders the fleet's CloudFormation stack, creates a change set
(a create for a new stack, an update otherwise), shows what it changes and,
once confirmed, executes it and follows the stack's events until it is
complete or rolled back; a rollback is explained by the resource that
failed first. The stack's outputs are printed at the end.

--dry-run stops after showing the change set and deletes it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !dryRun {
				if err := f.mayAsk(cmd, "the change set"); err != nil {
					return err
				}
			}
			cfg, s, err := loadStack(f.config, b.render)
			if err != nil {
				return err
			}
			if s, err = f.fit(cmd, b, cfg, s); err != nil {
				return err
			}
			d, err := f.deployer(cmd, b, cfg)
			if err != nil {
				return err
			}
			d.ReplaceRolledBack = replace
			return deployStack(cmd, d, s, f.yes, dryRun)
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show the change set, then delete it without executing it")
	cmd.Flags().BoolVar(&replace, "replace-rolled-back", false, "delete a stack left in ROLLBACK_COMPLETE by a failed create, then create it again")
	return cmd
}

// loadStack loads the description without resolving its secrets, checks
// it against AWS and renders its stack.
func loadStack(file string, renderStack func(*config.Config) ([]render.File, error)) (*config.Config, stack.Stack, error) {
	cfg, err := config.LoadUnresolved(file)
	if err != nil {
		return nil, stack.Stack{}, err
	}
	if err := cfg.CheckTarget(config.TargetAWS); err != nil {
		return nil, stack.Stack{}, fmt.Errorf("%s cannot be deployed to aws:\n%w", file, err)
	}
	files, err := renderStack(cfg)
	if err != nil {
		return nil, stack.Stack{}, err
	}
	s := stack.Stack{
		Name:       cfg.AWS.StackName,
		Parameters: map[string]string{},
		Tags:       map[string]string{"ethfleet:fleet": cfg.AWS.StackName, "ethfleet:network": cfg.Network.Name},
	}
	for _, file := range files {
		switch file.Path {
		case "template.yaml":
			s.TemplateBody = string(file.Data)
		case "parameters.json":
			if s.Parameters, err = stack.ParseParameters(file.Data); err != nil {
				return nil, stack.Stack{}, err
			}
		}
	}
	if s.TemplateBody == "" {
		return nil, stack.Stack{}, errors.New("deploy: the renderer made no template.yaml")
	}
	return cfg, s, nil
}

// deployStack plans the change set, shows it and, unless dryRun, applies
// it once confirmed (or at once when yes).
func deployStack(cmd *cobra.Command, d *stack.Deployer, s stack.Stack, yes, dryRun bool) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	cs, err := d.Plan(ctx, s)
	if err != nil {
		return err
	}
	if cs.NoChanges {
		fmt.Fprintf(out, "stack %s is up to date: no changes\n", s.Name)
		return nil
	}
	verb := "updates"
	if cs.Create {
		verb = "creates"
	}
	fmt.Fprintf(out, "change set %s %s stack %s:\n", cs.Name, verb, s.Name)
	if err := stack.WriteChanges(out, cs.Changes); err != nil {
		return err
	}
	if !dryRun && !yes {
		ok, err := confirm(cmd.InOrStdin(), out, fmt.Sprintf("Apply these %d changes to stack %s?", len(cs.Changes), s.Name))
		if err != nil || !ok {
			fmt.Fprintln(out, "not applied")
			return errors.Join(err, discard(cmd, d, cs))
		}
	}
	if dryRun {
		fmt.Fprintln(out, "dry run: not applied")
		return discard(cmd, d, cs)
	}
	res, err := d.Apply(ctx, cs)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stack %s: %s\n", s.Name, res.Status)
	if len(res.Outputs) == 0 {
		return nil
	}
	return stack.WriteOutputs(out, res.Outputs)
}

// discard deletes a change set that is not applied, and says so.
func discard(cmd *cobra.Command, d *stack.Deployer, cs stack.ChangeSet) error {
	if err := d.Discard(cmd.Context(), cs); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "deleted change set %s", cs.Name)
	if cs.Create {
		fmt.Fprintf(cmd.OutOrStdout(), " and the empty stack %s it was made for", cs.StackName)
	}
	fmt.Fprintln(cmd.OutOrStdout())
	return nil
}

func newDestroyCmd(b stackBackend) *cobra.Command {
	var f stackFlags
	cmd := &cobra.Command{
		Use:   "destroy --config FILE [--yes]",
		Short: "Delete the fleet's CloudFormation stack and everything it made",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.mayAsk(cmd, "deleting the stack"); err != nil {
				return err
			}
			cfg, err := config.LoadUnresolved(f.config)
			if err != nil {
				return err
			}
			d, err := f.deployer(cmd, b, cfg)
			if err != nil {
				return err
			}
			name, out := cfg.AWS.StackName, cmd.OutOrStdout()
			if !f.yes {
				ok, err := confirm(cmd.InOrStdin(), out, fmt.Sprintf("Delete stack %s and every resource it made?", name))
				if err != nil || !ok {
					fmt.Fprintln(out, "not deleted")
					return err
				}
			}
			err = d.Destroy(cmd.Context(), name)
			if errors.Is(err, stack.ErrNoStack) {
				fmt.Fprintf(out, "stack %s does not exist: nothing to destroy\n", name)
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "stack %s deleted\n", name)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// confirm asks a yes/no question; only y or yes is a yes.
func confirm(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprintf(out, "%s [y/N] ", question)
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("reading the answer: %w", err)
	}
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes", nil
}

// isTerminal reports whether v is a file open on a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
