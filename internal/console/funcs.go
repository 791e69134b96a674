package console

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
)

// funcs are the template helpers; each returns plain text that html/template escapes.
var funcs = template.FuncMap{
	"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") },
	"ms": func(ms float64) string {
		return time.Duration(ms * float64(time.Millisecond)).Round(time.Millisecond).String()
	},
	"cost":    func(c float64) string { return fmt.Sprintf("$%.4f", c) },
	"pct":     func(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) },
	"path":    url.PathEscape,
	"join":    strings.Join,
	"canSee":  func(u who) bool { return u.Role.SeesContent() },
	"isAdmin": func(u who) bool { return u.Role == RoleAdmin },
}
