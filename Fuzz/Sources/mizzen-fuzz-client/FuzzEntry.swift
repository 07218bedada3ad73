import Foundation
import FuzzSupport

/// The targets of the parsers in KubeClient and OAMControllers (kept apart: they pull in the
/// HTTP and TLS stacks, which take long to build).
let fuzzTargets: [String: FuzzTarget] = [
    "kubeconfig": KubeconfigTarget.run,
    "admission-review": AdmissionReviewTarget.run,
]

/// Selects the target named by `MIZZEN_FUZZ_TARGET` and hands the command line to libFuzzer.
@main
enum MizzenFuzzClient {
    static func main() {
        selectFuzzTarget(from: fuzzTargets)
        exit(runLibFuzzer())
    }
}
