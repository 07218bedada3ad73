import OrderedCollections
import ArgumentParser
import OAM
import Resources

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Components, ApplicationConfigurations and definitions without a cluster.",
        discussion: """
            Reports every problem found — not only the first — as file:line:column: severity: \
            object: field: message on standard error. The files given are treated as one set: \
            AppConfigs are checked against the Components, definitions and scopes among them \
            (and the built-in definitions).

            Exit status: 0 valid (warnings allowed), 2 invalid, or an input could not be read or parsed.

            Examples:
              mizzen validate -f examples/
              cat app.yaml | mizzen validate -f - -o json
            """)

    @OptionGroup var input: InputOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Print the diagnostics as JSON on standard output.")
    var output: ValidateOutput?

    enum ValidateOutput: String, ExpressibleByArgument, CaseIterable {
        case json
    }

    func run() throws {
        let set = ManifestSet(documents: try input.documents())
        let diagnostics = set.validate().sortedByLocation
        let valid = !diagnostics.hasErrors
        if output == .json {
            let report: JSONValue = [
                "valid": .bool(valid),
                "objects": .int(Int64(set.manifests.count)),
                "diagnostics": .array(diagnostics.map(\.json)),
            ]
            print(report.jsonString(pretty: true))
        } else {
            for diagnostic in diagnostics { StandardError.write(diagnostic.description) }
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.count - errors
            StandardError.write(
                "\(set.manifests.count) object\(set.manifests.count == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        }
        if !valid { throw ExitStatus.invalidInput }
    }
}
