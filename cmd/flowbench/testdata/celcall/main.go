// Command celcall is the start-up floor of BenchmarkStartupRatio: the bare
// program of testdata/barecall, but evaluating the flow's request with
// cel-go, the expression language every flow is written in (the same
// extensions as engine/expr), as any program that runs a flow must. What it
// costs above barecall is loading and initialising cel-go and building its
// environment, which Flowbench cannot avoid.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
)

func eval(env *cel.Env, src string, vars map[string]any) (any, error) {
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, err
	}
	out, _, err := prg.Eval(vars)
	if err != nil {
		return nil, err
	}
	return out.Value(), nil
}

func main() {
	env, err := cel.NewEnv(
		cel.Variable("trigger", cel.DynType),
		ext.Strings(), ext.Encoders(), ext.Math(), ext.Lists(),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	vars := map[string]any{"trigger": map[string]any{"chatId": 1}}
	uri, err := eval(env, `"/v1/tier"`, vars)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	body, err := eval(env, `{"chatId": trigger.chatId}`, vars)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	req, err := http.NewRequest("POST", os.Args[1]+uri.(string), strings.NewReader(fmt.Sprint(body)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	req.Header.Set("x-api-key", os.Getenv("CRM_TEST_KEY"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(b))
}
