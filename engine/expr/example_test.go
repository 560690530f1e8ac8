package expr_test

import (
	"context"
	"fmt"

	"github.com/flowbench/flowbench/engine/expr"
)

// Compile once, evaluate many times against a run's context.
func Example() {
	env, _ := expr.NewEnv(expr.Options{})
	body, _ := env.Compile(`{"chatId": trigger.chatId, "vip": vars.amount > 1000}`)
	out, _ := body.Eval(context.Background(), &expr.Activation{
		Trigger: map[string]any{"chatId": "c-42"},
		Vars:    map[string]any{"amount": 1500.0},
	})
	fmt.Println(out)

	_, err := env.Compile(`vars.amount >`)
	fmt.Println(err != nil)
	// Output:
	// map[chatId:c-42 vip:true]
	// true
}
