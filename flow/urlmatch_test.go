package flow

import (
	"net/url"
	"testing"
)

func TestMatchConnection(t *testing.T) {
	conns := []Connection{
		{Name: "v1", BaseURL: "https://api.x.com/v1"},
		{Name: "root", BaseURL: "https://API.x.com"},
		{Name: "orders", BaseURL: "https://api.x.com/v1/orders/"},
		{Name: "local", BaseURL: "http://127.0.0.1:8080/api"},
		{Name: "connect", Kind: ConnAmazonConnect, Region: "eu-west-2"},
		{Name: "bad", BaseURL: "::not a url"},
	}
	for _, c := range []struct {
		url, conn, rest string
	}{
		{"https://api.x.com/v1/customers?limit=3", "v1", "/customers?limit=3"},
		{"https://api.x.com/v1", "v1", ""},
		{"https://api.x.com/v1/", "v1", "/"},
		{"https://api.x.com/v1/orders/A-1", "orders", "/A-1"}, // the longest base wins
		{"https://api.x.com/v1/orders", "orders", ""},
		{"https://api.x.com/v10/orders", "root", "/v10/orders"}, // whole segments, not a string prefix
		{"https://api.x.com:443/v1/a", "v1", "/a"},              // the default port is the same port
		{"https://api.x.com:8443/v1/a", "", ""},
		{"http://api.x.com/v1/a", "", ""},
		{"HTTPS://Api.X.com/v1/a%2Fb", "v1", "/a%2Fb"},
		{"http://127.0.0.1:8080/api/x/y/", "local", "/x/y/"},
		{"http://127.0.0.1/api/x", "", ""},
		{"http://127.0.0.1:8080/apix", "", ""},
		{"ftp://api.x.com/v1", "", ""},
		{"/v1/orders", "", ""},
	} {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		got, rest := MatchConnection(conns, u)
		name := ""
		if got != nil {
			name = got.Name
		}
		if name != c.conn || rest != c.rest {
			t.Errorf("MatchConnection(%s) = %q, %q; want %q, %q", c.url, name, rest, c.conn, c.rest)
		}
	}
	if c, _ := MatchConnection(nil, nil); c != nil {
		t.Errorf("a nil URL matched %q", c.Name)
	}
	ipv6 := []Connection{{Name: "six", BaseURL: "http://[::1]:9000/"}}
	u, _ := url.Parse("http://[0:0:0:0:0:0:0:1]:9000/p")
	if c, rest := MatchConnection(ipv6, u); c == nil || rest != "/p" {
		t.Errorf("an IPv6 host written two ways did not match: %v %q", c, rest)
	}
}
