import APIMachinery
import Testing

@Test("placeholder") func placeholder() { #expect(true) }
