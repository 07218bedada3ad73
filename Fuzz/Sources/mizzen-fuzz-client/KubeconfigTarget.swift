import FuzzSupport
import Foundation
@testable import KubeClient

/// Kubeconfig files: reading and merging, and the connection of every context. A kubeconfig
/// that names files (certificates, token files) is only read, not connected, so that the
/// fuzzer cannot make it read `/dev/stdin` or the like.
enum KubeconfigTarget {
    static let path = NSTemporaryDirectory() + "mizzen-fuzz-\(getpid()).kubeconfig"

    static func run(_ bytes: [UInt8]) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { broken("cannot write \(path)") }
        guard let config = try? Kubeconfig(files: [path], requireAll: true) else { return }
        let fileKeys = ["certificate-authority", "client-certificate", "client-key", "tokenFile"]
        let namesFiles = (Array(config.clusters.values) + Array(config.users.values)).contains { entry in
            fileKeys.contains { entry.value[$0] != nil }
        }
        guard !namesFiles else { return }
        _ = try? config.connection()
        for name in config.contextNames { _ = try? config.connection(context: name) }
    }
}
