// Package curl reads and writes cURL command lines: Parse turns a `curl …`
// command, as API documentation publishes it, into the request it sends;
// ToRequest maps that request onto Flowbench (a connection, a relative URI,
// headers, a body, and the credentials to seal as the connection's secrets);
// Format writes a request back as a command (Copy as cURL).
//
// The command is parsed with a real shell parser (mvdan.cc/sh/v3/syntax) in
// POSIX/bash syntax: single, double and $'…' quotes, backslash escapes and
// line continuations ("\" at the end of a line). Windows cmd syntax ("^"
// continuations) is not read. Nothing is run: variables, command
// substitutions and redirections are not expanded but listed in
// Command.Unmapped, as is every option that cannot be mapped.
package curl

import (
	"net/url"
	"strings"
)

// Header is one request header, in the order the command gives it.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Note is an argument of the command that was not mapped onto the request
// (Command.Unmapped), or one whose effect Flowbench has anyway or that only
// changes what curl prints (Command.Ignored), with the reason in words.
type Note struct {
	Arg    string `json:"arg"`
	Reason string `json:"reason"`
}

// FormPart is one part of a multipart form (-F, --form-string).
type FormPart struct {
	Name string `json:"name"`
	// Value is the part's content: the text given, or the file's content.
	Value string `json:"value"`
	// File is the file name sent with a file part (name=@file), else "".
	File string `json:"file,omitempty"`
	// Type is the part's content type (;type=…), else "".
	Type string `json:"type,omitempty"`
}

// Command is the request a curl command sends.
type Command struct {
	// Method is the request method: -X, else HEAD for -I, PUT for -T, POST
	// when the command sends data, GET otherwise.
	Method string `json:"method"`
	// URL is the request's URL, with -G data and --url-query in its query.
	URL *url.URL `json:"-"`
	// Headers are the request headers in order: the command's -H, then
	// those its options imply (-A, -b, -e, the content type of -d, --json,
	// -F) unless a -H gave the same name.
	Headers []Header `json:"headers"`
	// Body is the request body; HasBody tells an empty body (-d ”) from
	// none.
	Body    string `json:"body,omitempty"`
	HasBody bool   `json:"hasBody,omitempty"`
	// Form holds the parts of -F; Body is then the multipart body built
	// from them, with the boundary of the Content-Type header.
	Form []FormPart `json:"form,omitempty"`
	// User and Password are -u's basic credentials (HasUser when -u was
	// given).
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	HasUser  bool   `json:"hasUser,omitempty"`
	// Bearer is the token of an "Authorization: Bearer …" header (which
	// stays in Headers) or of --oauth2-bearer.
	Bearer string `json:"bearer,omitempty"`
	// AWSSigV4 is --aws-sigv4's provider string ("aws:amz:REGION:SERVICE").
	AWSSigV4 string `json:"awsSigV4,omitempty"`
	// Insecure is -k: the server's certificate is not verified.
	Insecure bool `json:"insecure,omitempty"`
	// Compressed is --compressed: the response may be compressed.
	Compressed bool `json:"compressed,omitempty"`
	// Unset are the shell variables the command uses that were not set
	// (their names; the request holds them as $NAME).
	Unset []string `json:"unset,omitempty"`
	// Unmapped lists what the command says that the request does not
	// carry; Ignored what changes only curl's own output or behaviour.
	Unmapped []Note `json:"unmapped,omitempty"`
	Ignored  []Note `json:"ignored,omitempty"`
}

// Header returns the value of the first header named name (any case).
func (c *Command) Header(name string) (string, bool) {
	for _, h := range c.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}
