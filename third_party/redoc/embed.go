// Package redoc embeds ReDoc's standalone bundle, vendored unmodified from
// the npm package redoc (version in VERSION; refresh.sh updates it), so the
// API reference page works without a CDN.
package redoc

import "embed"

// FS holds redoc.standalone.js with ReDoc's LICENSE and the notices of the
// dependencies bundled into it (redoc.standalone.js.LICENSE.txt).
//
//go:embed redoc.standalone.js redoc.standalone.js.LICENSE.txt LICENSE
var FS embed.FS
