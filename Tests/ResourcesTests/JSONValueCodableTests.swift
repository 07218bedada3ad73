import Foundation
import OrderedCollections
import Resources
import Testing

private enum Phase: String, Codable, CaseIterable, Equatable {
    case running = "Running"
    case pending = "Pending"
}

private enum Tier: String, Codable, Equatable {
    case gold, silver
}

private struct Trait: Codable, Equatable {
    var type: String
    var properties: JSONValue
}

private struct Component: Codable, Equatable {
    var name: String
    var type: String
    var replicas: Int32?
    var phase: Phase?
    var properties: JSONValue?
    var traits: [Trait]?
}

private struct Metadata: Codable, Equatable {
    var name: String
    var labels: [String: String]?
    var generation: Int64?
}

private struct Spec: Codable, Equatable {
    var components: [Component]
}

private struct Application: Codable, Equatable {
    var apiVersion: String
    var kind: String
    var metadata: Metadata
    var spec: Spec
}

private struct Numbers: Codable, Equatable {
    var i8: Int8
    var u16: UInt16
    var i: Int
    var u64: UInt64
    var d: Double
    var f: Float
    var flag: Bool
}

/// A type with a hand-written `init(from:)` that validates its input.
private struct Port: Decodable, Equatable {
    var number: Int

    enum CodingKeys: String, CodingKey { case number }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        number = try container.decode(Int.self, forKey: .number)
        guard (1...65535).contains(number) else {
            throw DecodingError.dataCorruptedError(
                forKey: .number, in: container, debugDescription: "a port must be between 1 and 65535")
        }
    }
}

private struct Ports: Decodable {
    var ports: [Port]
}

private struct NotAnIPAddress: Error, CustomStringConvertible {
    var description: String { "not an IP address" }
}

private struct Address: Decodable {
    init(from decoder: any Decoder) throws { throw NotAnIPAddress() }
}

private struct Endpoint: Decodable {
    var address: Address
}

private struct Matrix: Codable, Equatable {
    var rows: [[Int]]
}

private let sample: JSONValue = [
    "apiVersion": "core.oam.dev/v1alpha2",
    "kind": "ApplicationConfiguration",
    "metadata": ["name": "shop", "labels": ["team": "web"]],
    "spec": [
        "components": [
            [
                "name": "frontend", "type": "webservice", "replicas": 3, "phase": "Running",
                "properties": ["image": "nginx", "ports": [80], "zeta": nil, "alpha": 1.5],
                "traits": [["type": "scaler", "properties": ["replicas": 2]]],
            ],
            ["name": "db", "type": "worker", "replicas": nil],
        ]
    ],
]

private func decodingError<T: Decodable>(_ type: T.Type, from value: JSONValue) -> String? {
    do {
        _ = try JSONValueDecoder().decode(type, from: value)
        return nil
    } catch {
        return error.description
    }
}

@Suite("JSONValue Codable bridge")
struct JSONValueCodableTests {
    @Test("nested structs with optionals, arrays, enums and JSONValue fields decode")
    func decodesNested() throws {
        let app = try JSONValueDecoder().decode(Application.self, from: sample)
        #expect(app.metadata == Metadata(name: "shop", labels: ["team": "web"], generation: nil))
        let frontend = try #require(app.spec.components.first)
        #expect(frontend.replicas == 3)
        #expect(frontend.phase == .running)
        #expect(frontend.traits == [Trait(type: "scaler", properties: ["replicas": 2])])
        let properties = try #require(frontend.properties?.objectValue)
        #expect(Array(properties.keys) == ["image", "ports", "zeta", "alpha"])
        #expect(app.spec.components[1] == Component(name: "db", type: "worker"))
    }

    @Test("decoding JSONValue returns the value as it is, at the root and inside")
    func decodesJSONValue() throws {
        #expect(try JSONValueDecoder().decode(JSONValue.self, from: sample) == sample)
        #expect(try JSONValueDecoder().decode([JSONValue].self, from: [1, "a", nil]) == [1, "a", nil])
        #expect(try JSONValueDecoder().decode(JSONValue?.self, from: nil) == nil)
        #expect(try JSONValueDecoder().decode([String: JSONValue].self, from: ["a": [1]]) == ["a": [1]])
    }

    @Test("numbers decode into every integer type they fit, and into floats")
    func numbers() throws {
        let value: JSONValue = ["i8": -128, "u16": 65535, "i": 3.0, "u64": 7, "d": 2, "f": 0.5, "flag": true]
        let numbers = try JSONValueDecoder().decode(Numbers.self, from: value)
        #expect(numbers == Numbers(i8: -128, u16: 65535, i: 3, u64: 7, d: 2, f: 0.5, flag: true))
    }

    static let decodingErrors: [(JSONValue, String)] = [
        (
            ["spec": ["components": [["name": "a", "type": "t"], ["name": 7, "type": "t"]]]],
            "spec.components[1].name: expected a string, found an integer"
        ),
        (
            ["spec": ["components": [["name": "a"]]]],
            "spec.components[0].type: required field is missing"
        ),
        (
            ["spec": ["components": [["name": "a", "type": "t", "replicas": 9_999_999_999]]]],
            "spec.components[0].replicas: expected an integer between -2147483648 and 2147483647, found 9999999999"
        ),
        (
            ["spec": ["components": [["name": "a", "type": "t", "replicas": 1.5]]]],
            "spec.components[0].replicas: expected an integer, found 1.5"
        ),
        (
            ["spec": ["components": [["name": "a", "type": "t", "replicas": "3"]]]],
            "spec.components[0].replicas: expected an integer, found a string"
        ),
        (
            ["spec": ["components": [["name": "a", "type": "t", "phase": "Gone"]]]],
            #"spec.components[0].phase: expected one of "Running", "Pending", found "Gone""#
        ),
        (
            ["spec": ["components": [["name": nil, "type": "t"]]]],
            "spec.components[0].name: expected a string, found null"
        ),
        (
            ["spec": ["components": ["x"]]],
            "spec.components[0]: expected an object, found a string"
        ),
        (
            ["spec": ["components": [["name": "a", "type": "t", "traits": [["type": "s"]]]]]],
            "spec.components[0].traits[0].properties: required field is missing"
        ),
        (
            ["spec": ["components": 1]],
            "spec.components: expected an array, found an integer"
        ),
    ]

    @Test("errors name the field path and say what was expected", arguments: decodingErrors)
    func errors(value: JSONValue, expected: String) {
        #expect(decodingError(Spec.self, from: value["spec"] ?? nil).map { "spec." + $0 } == expected)
    }

    @Test("errors at the root have no path; Bool comes only from booleans; enums without cases listed")
    func otherErrors() {
        #expect(decodingError(String.self, from: 1) == "expected a string, found an integer")
        #expect(decodingError(Bool.self, from: 1) == "expected a boolean, found an integer")
        #expect(decodingError(Int.self, from: "1") == "expected an integer, found a string")
        #expect(decodingError(UInt8.self, from: -1) == "expected an integer between 0 and 255, found -1")
        #expect(decodingError(Double.self, from: [:]) == "expected a number, found an object")
        #expect(decodingError([Tier].self, from: ["gold", "bronze"]) == #"[1]: "bronze" is not a valid Tier"#)
        #expect(
            decodingError(Matrix.self, from: ["rows": [[1], [true]]])
                == "rows[1][0]: expected an integer, found a boolean")
        let error = JSONValueDecodingError(path: "spec.components[1].name", message: "m")
        #expect(error.description == "spec.components[1].name: m")
    }

    @Test("DecodingErrors and other errors from hand-written init(from:) become JSONValueDecodingError")
    func userErrors() {
        #expect(
            decodingError(Ports.self, from: ["ports": [["number": 80], ["number": 0]]])
                == "ports[1].number: a port must be between 1 and 65535")
        #expect(decodingError(Endpoint.self, from: ["address": "x"]) == "address: not an IP address")
        #expect(throws: JSONValueDecodingError(path: "ports[0].number", message: "required field is missing")) {
            try JSONValueDecoder().decode(Ports.self, from: ["ports": [[:]]])
        }
    }

    @Test("the encoder keeps declaration order, leaves out nil and takes JSONValue fields as they are")
    func encodes() throws {
        let app = try JSONValueDecoder().decode(Application.self, from: sample)
        let encoded = try JSONValueEncoder().encode(app)
        #expect(
            encoded.jsonString()
                == #"{"apiVersion":"core.oam.dev/v1alpha2","kind":"ApplicationConfiguration","#
                + #""metadata":{"name":"shop","labels":{"team":"web"}},"spec":{"components":["#
                + #"{"name":"frontend","type":"webservice","replicas":3,"phase":"Running","#
                + #""properties":{"image":"nginx","ports":[80],"zeta":null,"alpha":1.5},"#
                + #""traits":[{"type":"scaler","properties":{"replicas":2}}]},{"name":"db","type":"worker"}]}}"#)
        #expect(try JSONValueDecoder().decode(Application.self, from: encoded) == app)
        #expect(try JSONValueEncoder().encode(sample) == sample)
        #expect(try JSONValueEncoder().encode(Matrix(rows: [[1, 2], []])) == ["rows": [[1, 2], []]])
        #expect(try JSONValueEncoder().encode(["b": 1.5]) == ["b": 1.5])
        #expect(try JSONValueEncoder().encode(Optional<Int>.none) == nil)
    }

    @Test("numbers JSON cannot hold here are encoding errors")
    func encodingErrors() throws {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([UInt64.max]) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(["x": Double.nan]) }
        #expect(try JSONValueEncoder().encode(UInt64(Int64.max)) == .int(.max))
    }

    @Test("JSONValue round-trips through Foundation's JSON coders")
    func foreignCoders() throws {
        let data = try JSONEncoder().encode(sample)
        let back = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(back == sample)
        #expect(try JSONValue(parsingJSON: Array(data)) == sample)
    }
}
