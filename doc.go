// Package tokengate puts bearer-token authentication in front of Go web
// apps. The engine is in package core; nethttpmw, ginmw and fibermw adapt
// it to net/http, gin and fiber.
package tokengate
