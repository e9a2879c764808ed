package cfn

import (
	"errors"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Render renders cfg. SCAFFOLD: replaced by the real renderer.
func Render(cfg *config.Config) ([]render.File, error) {
	return nil, errors.New("cfn: not written yet")
}
