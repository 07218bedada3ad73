import FuzzSupport
import APIMachinery
import Resources

/// Field paths (`spec.containers[0].image`, OAM's `fieldPath`/`toFieldPaths`) and the JSONPath
/// subset of printer columns: parsing, printing back, and reading, writing and removing at the
/// path in a sample object.
enum FieldPathTarget {
    static let sample: JSONValue = {
        let json = #"{"metadata":{"name":"web","labels":{"app":"web","a.b/c":"d"}},"spec":{"replicas":3,"#
            + #""containers":[{"name":"main","image":"nginx","ports":[{"containerPort":80}]}],"#
            + #""items":[[1,2],[3]]},"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#
        return try! JSONValue(parsingJSON: json)
    }()

    static func run(_ bytes: [UInt8]) {
        let text = utf8Text(bytes)
        if let path = try? FieldPath(parsing: text) {
            let printed = path.description
            guard let again = try? FieldPath(parsing: printed) else { broken("\(printed) (from \(text)) does not parse") }
            if again != path { broken("\(text) printed as \(printed), which parses differently") }
            _ = sample.valueIfPresent(at: path)
            _ = try? sample.value(at: path)
            var edited = sample
            if (try? edited.setValue("x", at: path)) != nil, !path.isEmpty {
                guard edited.valueIfPresent(at: path) == "x" else { broken("set at \(printed) then read something else") }
                _ = try? edited.removeValue(at: path)
            }
        }
        if let jsonPath = try? SimpleJSONPath(text) {
            _ = jsonPath.evaluate(sample)
        }
    }
}
