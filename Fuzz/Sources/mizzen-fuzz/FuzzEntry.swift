import Foundation
import FuzzSupport

/// The targets of the parsers in Resources, APIMachinery, BuiltinKinds, Store and OAM, by the
/// name `MIZZEN_FUZZ_TARGET` selects and `Fuzz/corpus/<name>` seeds.
let fuzzTargets: [String: FuzzTarget] = [
    "yaml": YAMLTarget.run,
    "json": JSONTarget.run,
    "protobuf": ProtobufTarget.run,
    "field-path": FieldPathTarget.run,
    "label-selector": SelectorTargets.label,
    "field-selector": SelectorTargets.field,
    "json-patch": PatchTargets.jsonPatch,
    "merge-patch": PatchTargets.mergePatch,
    "strategic-merge-patch": PatchTargets.strategicMergePatch,
    "fields-v1": FieldsV1Target.run,
    "continue-token": ContinueTokenTarget.run,
]

/// Selects the target named by `MIZZEN_FUZZ_TARGET` and hands the command line to libFuzzer.
@main
enum MizzenFuzz {
    static func main() {
        selectFuzzTarget(from: fuzzTargets)
        exit(runLibFuzzer())
    }
}
