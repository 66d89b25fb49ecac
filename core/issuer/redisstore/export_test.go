package redisstore

// ScriptHashes names the SHA-1 of every script the store runs, for tests
// that watch what it sends.
func ScriptHashes() map[string]string {
	return map[string]string{
		"rotate": rotateScript.Hash(), "create": createScript.Hash(),
		"revoke session": revokeSessionScript.Hash(), "API index": apiIndexScript.Hash(),
	}
}
