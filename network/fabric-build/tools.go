//go:build tools

// Package tools pins the Hyperledger Fabric commands the network needs. The module exists only so
// that `go install` can build them from the Go module proxy at one exact commit (the release-2.5
// snapshot bd8e248, reported as 2.5.0): network/scripts/install-fabric.sh builds from here.
package tools

import (
	_ "github.com/hyperledger/fabric/cmd/configtxgen"
	_ "github.com/hyperledger/fabric/cmd/configtxlator"
	_ "github.com/hyperledger/fabric/cmd/cryptogen"
	_ "github.com/hyperledger/fabric/cmd/orderer"
	_ "github.com/hyperledger/fabric/cmd/osnadmin"
	_ "github.com/hyperledger/fabric/cmd/peer"
)
