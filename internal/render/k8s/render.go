package k8s

import (
	"errors"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Render renders cfg. SCAFFOLD: replaced by the real renderer.
func Render(cfg *config.Config) ([]render.File, error) {
	return nil, errors.New("k8s: not written yet")
}
