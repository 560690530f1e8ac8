package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/flow"
)

// TestConnectionFormEditsSignBody: the SigV4 group of the connection form
// has the signBody switch; it shows the stored value and what it is set to
// is what the form's connection carries.
func TestConnectionFormEditsSignBody(t *testing.T) {
	h := newHarness(t)
	for _, stored := range []bool{false, true} {
		c := flow.Connection{Name: "vault", Kind: flow.ConnCustom, BaseURL: "https://vault.example.com", Region: "eu-central-1",
			Auth: flow.Auth{Type: flow.AuthSigV4, AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: &flow.SecretRef{Env: "AWS_SECRET"},
				Service: "s3-compatible", SignBody: stored}}
		f := newConnForm(h.app, c, false)
		if !slices.Contains(f.groups[flow.AuthSigV4].Objects, fyne.CanvasObject(f.signBody)) {
			t.Fatal("the signBody switch is not in the SigV4 group")
		}
		if f.signBody.Checked != stored {
			t.Fatalf("stored signBody %v, the switch shows %v", stored, f.signBody.Checked)
		}
		f.signBody.SetChecked(!stored)
		got, ps := f.connection()
		if ps.HasErrors() {
			t.Fatalf("problems: %v", ps)
		}
		if got.Auth.SignBody != !stored {
			t.Fatalf("switched to %v, the connection carries signBody %v", !stored, got.Auth.SignBody)
		}
	}
}
