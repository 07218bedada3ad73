import OrderedCollections
import Foundation
import Resources

/// The opaque `continue` token of a paginated list: the resourceVersion of the first page and
/// the key of the last object returned, as base64 JSON.
struct ContinueToken: Sendable, Hashable {
    var resourceVersion: Int64
    var namespace: String
    var name: String

    var encoded: String {
        let value: JSONValue = [
            "v": "mizzen.store/v1", "rv": .int(resourceVersion), "ns": .string(namespace), "name": .string(name),
        ]
        return Data(value.jsonBytes()).base64EncodedString()
    }

    /// Reads a token.
    ///
    /// - Throws: ``APIError`` 400 when the token is not one of ours.
    init(decoding token: String) throws(APIError) {
        guard let data = Data(base64Encoded: token) else {
            throw APIError.badRequest("continue key is not valid: the continue token is not base64")
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsingJSON: data)
        } catch {
            throw APIError.badRequest("continue key is not valid: \(error)")
        }
        guard value["v"]?.stringValue == "mizzen.store/v1",
            let rv = value["rv"]?.intValue, rv > 0,
            let namespace = value["ns"]?.stringValue, let name = value["name"]?.stringValue
        else {
            throw APIError.badRequest("continue key is not valid: the continue token is malformed")
        }
        self.init(resourceVersion: rv, namespace: namespace, name: name)
    }

    init(resourceVersion: Int64, namespace: String, name: String) {
        self.resourceVersion = resourceVersion
        self.namespace = namespace
        self.name = name
    }
}
