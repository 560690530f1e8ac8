package curl

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
)

// option is one curl option: whether it takes a value, and what it does
// (one of the kinds below).
type option struct {
	long  string
	short byte
	arg   bool
	kind  int
	// why is the reason an unmapped or ignored option is listed.
	why string
}

// The option kinds.
const (
	kUnmapped = iota
	kIgnored
	kRequest
	kHeader
	kData       // -d, --data, --data-ascii: @file with line breaks removed
	kDataBinary // @file as it is
	kDataRaw    // no @file
	kDataURLEncode
	kJSON
	kGet
	kHead
	kUser
	kInsecure
	kCompressed
	kForm
	kFormString
	kUserAgent
	kCookie
	kReferer
	kURL
	kURLQuery
	kUploadFile
	kOAuth2Bearer
	kAWSSigV4
	kRange
)

const (
	whyOutput   = "changes only what curl prints"
	whyTLS      = "TLS client settings are not mapped; set the connection's caFile or verifyTLS"
	whyProxy    = "proxies are not mapped; Flowbench uses the HTTPS_PROXY/HTTP_PROXY environment"
	whyTime     = "timeouts are not mapped; set the call's timeout or deadline"
	whyRetry    = "curl's retries are not mapped; set the call's retry policy"
	whyFile     = "writes a file; Flowbench shows the response (and the app keeps it in its request history) instead"
	whyAuth     = "this authentication scheme is not mapped; Flowbench connections use API key, OAuth 2.0, AWS SigV4, basic or bearer"
	whyNetwork  = "network settings are not mapped"
	whyNotHTTP  = "not an HTTP request option"
	whyCookieJr = "cookie files are not mapped; add the Cookie header instead"
)

// options lists the curl options Parse knows: those it maps, and those it
// lists as unmapped or ignored with the reason (an option not listed here is
// unmapped as unknown, and taken to have no value).
var options = []option{
	{"request", 'X', true, kRequest, ""},
	{"header", 'H', true, kHeader, ""},
	{"data", 'd', true, kData, ""},
	{"data-ascii", 0, true, kData, ""},
	{"data-binary", 0, true, kDataBinary, ""},
	{"data-raw", 0, true, kDataRaw, ""},
	{"data-urlencode", 0, true, kDataURLEncode, ""},
	{"json", 0, true, kJSON, ""},
	{"get", 'G', false, kGet, ""},
	{"head", 'I', false, kHead, ""},
	{"user", 'u', true, kUser, ""},
	{"insecure", 'k', false, kInsecure, ""},
	{"compressed", 0, false, kCompressed, ""},
	{"form", 'F', true, kForm, ""},
	{"form-string", 0, true, kFormString, ""},
	{"user-agent", 'A', true, kUserAgent, ""},
	{"cookie", 'b', true, kCookie, ""},
	{"referer", 'e', true, kReferer, ""},
	{"url", 0, true, kURL, ""},
	{"url-query", 0, true, kURLQuery, ""},
	{"upload-file", 'T', true, kUploadFile, ""},
	{"oauth2-bearer", 0, true, kOAuth2Bearer, ""},
	{"aws-sigv4", 0, true, kAWSSigV4, ""},
	{"range", 'r', true, kRange, ""},

	{"silent", 's', false, kIgnored, whyOutput},
	{"show-error", 'S', false, kIgnored, whyOutput},
	{"verbose", 'v', false, kIgnored, whyOutput},
	{"include", 'i', false, kIgnored, whyOutput},
	{"progress-bar", '#', false, kIgnored, whyOutput},
	{"no-progress-meter", 0, false, kIgnored, whyOutput},
	{"no-buffer", 'N', false, kIgnored, whyOutput},
	{"styled-output", 0, false, kIgnored, whyOutput},
	{"fail", 'f', false, kIgnored, "changes only curl's exit status; Flowbench shows every status"},
	{"fail-with-body", 0, false, kIgnored, "changes only curl's exit status; Flowbench shows every status"},
	{"location", 'L', false, kIgnored, "Flowbench follows redirects anyway (credentials are not sent to another host)"},
	{"location-trusted", 0, false, kIgnored, "Flowbench follows redirects anyway, but never sends credentials to another host"},
	{"basic", 0, false, kIgnored, "basic is what -u means anyway"},
	{"globoff", 'g', false, kIgnored, "Flowbench does not expand URL globs anyway"},
	{"disable", 'q', false, kIgnored, "Flowbench reads no .curlrc anyway"},
	{"http1.1", 0, false, kIgnored, "the HTTP version is chosen by Go's client"},
	{"http2", 0, false, kIgnored, "the HTTP version is chosen by Go's client"},
	{"http1.0", '0', false, kUnmapped, "HTTP/1.0 is not mapped; the HTTP version is chosen by Go's client"},

	{"output", 'o', true, kUnmapped, whyFile},
	{"remote-name", 'O', false, kUnmapped, whyFile},
	{"remote-name-all", 0, false, kUnmapped, whyFile},
	{"remote-header-name", 'J', false, kUnmapped, whyFile},
	{"output-dir", 0, true, kUnmapped, whyFile},
	{"create-dirs", 0, false, kUnmapped, whyFile},
	{"dump-header", 'D', true, kUnmapped, whyFile},
	{"write-out", 'w', true, kUnmapped, whyOutput + "; its format is not mapped"},
	{"stderr", 0, true, kUnmapped, whyOutput},
	{"trace", 0, true, kUnmapped, whyFile},
	{"trace-ascii", 0, true, kUnmapped, whyFile},
	{"cookie-jar", 'c', true, kUnmapped, whyCookieJr},
	{"junk-session-cookies", 'j', false, kUnmapped, whyCookieJr},
	{"etag-save", 0, true, kUnmapped, whyFile},
	{"etag-compare", 0, true, kUnmapped, whyFile},
	{"config", 'K', true, kUnmapped, "a curl config file is not read; put its options on the command line"},
	{"netrc", 'n', false, kUnmapped, "a .netrc file is not read; give -u user:password"},
	{"netrc-file", 0, true, kUnmapped, "a .netrc file is not read; give -u user:password"},
	{"proxy", 'x', true, kUnmapped, whyProxy},
	{"proxy-user", 'U', true, kUnmapped, whyProxy},
	{"proxytunnel", 'p', false, kUnmapped, whyProxy},
	{"noproxy", 0, true, kUnmapped, whyProxy},
	{"max-time", 'm', true, kUnmapped, whyTime},
	{"connect-timeout", 0, true, kUnmapped, whyTime},
	{"keepalive-time", 0, true, kUnmapped, whyNetwork},
	{"no-keepalive", 0, false, kUnmapped, whyNetwork},
	{"retry", 0, true, kUnmapped, whyRetry},
	{"retry-delay", 0, true, kUnmapped, whyRetry},
	{"retry-max-time", 0, true, kUnmapped, whyRetry},
	{"retry-all-errors", 0, false, kUnmapped, whyRetry},
	{"retry-connrefused", 0, false, kUnmapped, whyRetry},
	{"cacert", 0, true, kUnmapped, whyTLS},
	{"capath", 0, true, kUnmapped, whyTLS},
	{"cert", 'E', true, kUnmapped, "client certificates are not mapped"},
	{"cert-type", 0, true, kUnmapped, "client certificates are not mapped"},
	{"key", 0, true, kUnmapped, "client certificates are not mapped"},
	{"key-type", 0, true, kUnmapped, "client certificates are not mapped"},
	{"pass", 0, true, kUnmapped, "client certificates are not mapped"},
	{"pinnedpubkey", 0, true, kUnmapped, whyTLS},
	{"ciphers", 0, true, kUnmapped, whyTLS},
	{"tls-max", 0, true, kUnmapped, whyTLS},
	{"tlsv1", '1', false, kUnmapped, whyTLS},
	{"tlsv1.2", 0, false, kUnmapped, whyTLS},
	{"tlsv1.3", 0, false, kUnmapped, whyTLS},
	{"sslv2", '2', false, kUnmapped, whyTLS},
	{"sslv3", '3', false, kUnmapped, whyTLS},
	{"ssl-no-revoke", 0, false, kUnmapped, whyTLS},
	{"resolve", 0, true, kUnmapped, whyNetwork},
	{"connect-to", 0, true, kUnmapped, whyNetwork},
	{"interface", 0, true, kUnmapped, whyNetwork},
	{"dns-servers", 0, true, kUnmapped, whyNetwork},
	{"doh-url", 0, true, kUnmapped, whyNetwork},
	{"ipv4", '4', false, kUnmapped, whyNetwork},
	{"ipv6", '6', false, kUnmapped, whyNetwork},
	{"unix-socket", 0, true, kUnmapped, whyNetwork},
	{"abstract-unix-socket", 0, true, kUnmapped, whyNetwork},
	{"limit-rate", 0, true, kUnmapped, whyNetwork},
	{"speed-limit", 'Y', true, kUnmapped, whyNetwork},
	{"speed-time", 'y', true, kUnmapped, whyNetwork},
	{"max-filesize", 0, true, kUnmapped, "the response size cap is Flowbench's own"},
	{"max-redirs", 0, true, kUnmapped, "the redirect limit is Go's client's (10)"},
	{"proto", 0, true, kUnmapped, whyNetwork},
	{"proto-redir", 0, true, kUnmapped, whyNetwork},
	{"http2-prior-knowledge", 0, false, kUnmapped, "the HTTP version is chosen by Go's client"},
	{"http3", 0, false, kUnmapped, "HTTP/3 is not mapped"},
	{"path-as-is", 0, false, kUnmapped, "the URL path is sent as Go's client writes it"},
	{"request-target", 0, true, kUnmapped, "a custom request target is not mapped"},
	{"digest", 0, false, kUnmapped, whyAuth},
	{"ntlm", 0, false, kUnmapped, whyAuth},
	{"negotiate", 0, false, kUnmapped, whyAuth},
	{"anyauth", 0, false, kUnmapped, whyAuth},
	{"time-cond", 'z', true, kUnmapped, "add an If-Modified-Since header instead"},
	{"continue-at", 'C', true, kUnmapped, "add a Range header instead"},
	{"variable", 0, true, kUnmapped, "curl variables are not mapped; write the value in place"},
	{"parallel", 'Z', false, kUnmapped, whyNotHTTP},
	{"next", ':', false, kUnmapped, "only the first request of the command is read"},
	{"telnet-option", 't', true, kUnmapped, whyNotHTTP},
	{"quote", 'Q', true, kUnmapped, whyNotHTTP},
	{"ftp-port", 'P', true, kUnmapped, whyNotHTTP},
	{"append", 'a', false, kUnmapped, whyNotHTTP},
	{"use-ascii", 'B', false, kUnmapped, whyNotHTTP},
	{"list-only", 'l', false, kUnmapped, whyNotHTTP},
	{"remote-time", 'R', false, kUnmapped, whyFile},
	{"manual", 'M', false, kUnmapped, whyNotHTTP},
	{"version", 'V', false, kUnmapped, whyNotHTTP},
	{"help", 'h', false, kUnmapped, whyNotHTTP},
}

var longOptions, shortOptions = func() (map[string]*option, map[byte]*option) {
	l, s := map[string]*option{}, map[byte]*option{}
	for i := range options {
		o := &options[i]
		l[o.long] = o
		if o.short != 0 {
			s[o.short] = o
		}
	}
	return l, s
}()

// options reads the arguments after "curl".
func (p *parser) options(args []arg) error {
	endOfOptions := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		v := a.value
		switch {
		case endOfOptions || v == "-" || !strings.HasPrefix(v, "-"):
			p.urls = append(p.urls, v)
		case v == "--":
			endOfOptions = true
		case strings.HasPrefix(v, "--"):
			name := v[2:]
			o, ok := longOptions[name]
			negated := false
			if !ok {
				if base, cut := strings.CutPrefix(name, "no-"); cut {
					if bo, ok2 := longOptions[base]; ok2 && !bo.arg {
						o, ok, negated = bo, true, true
					}
				}
			}
			if !ok {
				p.unmapped(a.src, "an unknown curl option; not sent")
				continue
			}
			val, src := "", a.src
			if o.arg {
				if i+1 >= len(args) {
					return fmt.Errorf("the option %s needs a value after it", v)
				}
				i++
				val, src = args[i].value, a.src+" "+args[i].src
			}
			if err := p.apply(o, val, src, negated); err != nil {
				return err
			}
		default: // one or more short options: -sSL, -XPOST, -d@file
			for j := 1; j < len(v); j++ {
				o, ok := shortOptions[v[j]]
				if !ok {
					p.unmapped(a.src, fmt.Sprintf("-%c is an unknown curl option; not sent", v[j]))
					continue
				}
				if !o.arg {
					src := a.src
					if len(v) > 2 {
						src = "-" + string(v[j]) // one flag of a cluster such as -sSL
					}
					if err := p.apply(o, "", src, false); err != nil {
						return err
					}
					continue
				}
				val, src := v[j+1:], a.src
				if val == "" {
					if i+1 >= len(args) {
						return fmt.Errorf("the option -%c needs a value after it", v[j])
					}
					i++
					val, src = args[i].value, a.src+" "+args[i].src
				}
				if err := p.apply(o, val, src, false); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// optName names an option as errors quote it.
func optName(o *option) string { return "--" + o.long }

// apply does what one option says.
func (p *parser) apply(o *option, val, src string, negated bool) error {
	c := p.c
	switch o.kind {
	case kUnmapped:
		p.unmapped(src, o.why)
	case kIgnored:
		p.ignored(src, o.why)
	case kRequest:
		p.method = val
	case kHeader:
		if name, ok := strings.CutPrefix(val, "@"); ok {
			content, read, err := p.readFile(optName(o), name, src)
			if err != nil || !read {
				return err
			}
			for _, line := range strings.Split(content, "\n") {
				if line = strings.TrimRight(line, "\r"); strings.TrimSpace(line) != "" {
					p.header(line, src)
				}
			}
			return nil
		}
		p.header(val, src)
	case kData, kDataBinary:
		text := val
		if name, ok := strings.CutPrefix(val, "@"); ok {
			content, read, err := p.readFile(optName(o), name, src)
			if err != nil || !read {
				return err
			}
			text = content
			if o.kind == kData {
				text = strings.NewReplacer("\r", "", "\n", "").Replace(text)
			}
		}
		p.data = append(p.data, dataPiece{text: text})
	case kDataRaw:
		p.data = append(p.data, dataPiece{text: val})
	case kDataURLEncode:
		text, ok, err := p.urlencode(o, val, src)
		if err != nil || !ok {
			return err
		}
		p.data = append(p.data, dataPiece{text: text})
	case kJSON:
		text := val
		if name, ok := strings.CutPrefix(val, "@"); ok {
			content, read, err := p.readFile(optName(o), name, src)
			if err != nil || !read {
				return err
			}
			text = content
		}
		p.data = append(p.data, dataPiece{text: text, json: true})
	case kGet:
		p.get = !negated
	case kHead:
		p.head = !negated
	case kUser:
		user, pass, ok := strings.Cut(val, ":")
		c.User, c.Password, c.HasUser = user, pass, true
		if !ok {
			p.unmapped(src, "curl would ask for the password; give -u user:password")
		}
	case kInsecure:
		c.Insecure = !negated
	case kCompressed:
		c.Compressed = !negated
		p.ignored(src, "Flowbench asks for gzip and decompresses responses anyway")
	case kForm, kFormString:
		return p.formPart(o, val, src)
	case kUserAgent:
		p.userAgent = val
	case kCookie:
		if !strings.Contains(val, "=") {
			p.unmapped(src, "reads cookies from the file "+val+"; add the Cookie header instead")
			return nil
		}
		p.cookies = append(p.cookies, val)
	case kReferer:
		p.referer = strings.TrimSuffix(val, ";auto")
	case kURL:
		p.urls = append(p.urls, val)
	case kURLQuery:
		q := val
		if raw, ok := strings.CutPrefix(val, "+"); ok {
			q = raw
		} else {
			text, ok, err := p.urlencode(o, val, src)
			if err != nil || !ok {
				return err
			}
			q = text
		}
		p.urlQuery = append(p.urlQuery, q)
	case kUploadFile:
		content, read, err := p.readFile(optName(o), val, src)
		if err != nil || !read {
			return err
		}
		p.uploadFile = &content
	case kOAuth2Bearer:
		c.Bearer = val
	case kAWSSigV4:
		c.AWSSigV4 = val
	case kRange:
		p.rangeSpec = val
	}
	return nil
}

// header adds one -H: "Name: value"; "Name;" sends Name with no value;
// "Name:" removes a header curl would add.
func (p *parser) header(h, src string) {
	name, value, ok := strings.Cut(h, ":")
	if !ok {
		if n, cut := strings.CutSuffix(strings.TrimSpace(h), ";"); cut && n != "" && !strings.ContainsAny(n, " \t") {
			p.headers = append(p.headers, Header{Name: n, Value: ""})
			return
		}
		p.unmapped(src, "not a header (Name: value); not sent")
		return
	}
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " \t") {
		p.unmapped(src, "not a header (Name: value); not sent")
		return
	}
	if strings.EqualFold(name, "Host") || strings.EqualFold(name, "Content-Length") || strings.EqualFold(name, "Transfer-Encoding") {
		p.unmapped(src, "the "+name+" header is written by the HTTP client from the URL and the body")
		return
	}
	value = strings.TrimSpace(value)
	if value == "" {
		if p.removed == nil {
			p.removed = map[string]bool{}
		}
		p.removed[strings.ToLower(name)] = true
		return
	}
	p.headers = append(p.headers, Header{Name: name, Value: value})
}

// urlencode reads --data-urlencode's forms: content, =content,
// name=content, @file and name@file; the content is encoded as curl does
// (every byte but letters, digits and -._~ percent-encoded, a space as +).
func (p *parser) urlencode(o *option, val, src string) (string, bool, error) {
	name, content := "", val
	if i := strings.IndexAny(val, "=@"); i >= 0 {
		name, content = val[:i], val[i+1:]
		if val[i] == '@' {
			text, read, err := p.readFile(optName(o), content, src)
			if err != nil || !read {
				return "", false, err
			}
			content = text
		}
	}
	enc := url.QueryEscape(content)
	if name == "" {
		return enc, true, nil
	}
	return name + "=" + enc, true, nil
}

// formPart reads one -F: name=value, name=@file[;type=…][;filename=…],
// name=<file (the file's content as the value); --form-string takes the
// value as it is.
func (p *parser) formPart(o *option, val, src string) error {
	name, value, ok := strings.Cut(val, "=")
	if !ok || name == "" {
		p.unmapped(src, "not a form field (name=value); not sent")
		return nil
	}
	part := FormPart{Name: name, Value: value}
	if o.kind == kForm {
		switch {
		case strings.HasPrefix(value, "@") || strings.HasPrefix(value, "<"):
			file, params := splitFormParams(value[1:])
			content, read, err := p.readFile(optName(o), file, src)
			if err != nil || !read {
				return err
			}
			part.Value = content
			part.Type = params["type"]
			if value[0] == '@' {
				part.File = cmp.Or(params["filename"], fileBase(file))
			}
		default:
			v, params := splitFormParams(value)
			part.Value, part.Type = v, params["type"]
		}
	}
	p.form = append(p.form, part)
	return nil
}

// splitFormParams splits "value;type=text/plain;filename=x" into the value
// and its parameters (type, filename); other ";" stay in the value.
func splitFormParams(s string) (string, map[string]string) {
	params := map[string]string{}
	for {
		i := strings.LastIndex(s, ";")
		if i < 0 {
			return s, params
		}
		k, v, ok := strings.Cut(s[i+1:], "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || (k != "type" && k != "filename" && k != "headers" && k != "encoder") {
			return s, params
		}
		params[k] = strings.Trim(v, `"`)
		s = s[:i]
	}
}

func fileBase(name string) string { return name[strings.LastIndexAny(name, `/\`)+1:] }
