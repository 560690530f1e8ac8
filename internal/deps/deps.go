package deps
import (
 _ "fyne.io/fyne/v2"
 _ "fyne.io/fyne/v2/test"
 _ "cel.dev/cel-go/cel"
 _ "cel.dev/cel-go/ext"
 _ "modernc.org/sqlite"
 _ "golang.org/x/oauth2/clientcredentials"
 _ "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
 _ "github.com/mccutchen/go-httpbin/v2/httpbin"
 _ "github.com/go-oauth2/oauth2/v4/server"
 _ "github.com/zalando/go-keyring"
 _ "github.com/google/uuid"
)
