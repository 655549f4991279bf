// musterctl: the operator CLI of a Muster gateway. It speaks only the gateway's HTTP admin API
// (see Sources/MusterAPI/OpenAPIDocument.swift for the contract), never a Muster module.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(await Musterctl.run(Array(CommandLine.arguments.dropFirst())))
