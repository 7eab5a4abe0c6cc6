using System.Text;
using AlertPipeline.Core.Messaging;

namespace AlertPipeline.UnitTests.Core.Messaging;

public class SmsEncoderTests
{
    private const string Euro = "€";
    private const string Grin = "\U0001F600"; // 😀, outside the BMP: a surrogate pair

    [Fact]
    public void Analyze_Empty_IsOneGsmSegmentOfZeroUnits()
    {
        var result = SmsEncoder.Analyze("");

        result.Should().Be(new SmsAnalysis(SmsEncodingKind.Gsm7, 0, 0, 1, new([""])));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Analyze_PlainGsm_UsesSingleAndConcatenatedLimits(int length, int segments)
    {
        var result = SmsEncoder.Analyze(new string('a', length));

        result.Encoding.Should().Be(SmsEncodingKind.Gsm7);
        result.Characters.Should().Be(length);
        result.Units.Should().Be(length);
        result.Segments.Should().Be(segments);
        result.SegmentTexts.Should().HaveCount(segments);
    }

    [Fact]
    public void Analyze_161Gsm_SplitsInto153And8()
    {
        var result = SmsEncoder.Analyze(new string('a', 161));

        result.SegmentTexts.Select(s => s.Length).Should().Equal(153, 8);
    }

    [Fact]
    public void Analyze_EscapeCharacters_CostTwoSeptets()
    {
        var result = SmsEncoder.Analyze("{x}");

        result.Encoding.Should().Be(SmsEncodingKind.Gsm7);
        result.Characters.Should().Be(3);
        result.Units.Should().Be(5);
    }

    [Fact]
    public void Analyze_80Euros_Is160SeptetsInOneSegment()
    {
        var result = SmsEncoder.Analyze(string.Concat(Enumerable.Repeat(Euro, 80)));

        result.Units.Should().Be(160);
        result.Segments.Should().Be(1);
    }

    [Fact]
    public void Analyze_159PlainPlusOneEscape_Is161SeptetsInTwoSegments()
    {
        var result = SmsEncoder.Analyze(new string('a', 159) + "^");

        result.Characters.Should().Be(160);
        result.Units.Should().Be(161);
        result.Segments.Should().Be(2);
    }

    [Fact]
    public void Analyze_EscapeThatWouldStraddleTheBoundary_MovesWholeToNextSegment()
    {
        // 152 septets + '€' (2) = 154 > 153: the escape pair must not be split, so segment 1 holds 152 septets.
        var text = new string('a', 152) + Euro + new string('b', 10);

        var result = SmsEncoder.Analyze(text);

        result.Units.Should().Be(164);
        result.Segments.Should().Be(2);
        result.SegmentTexts[0].Should().Be(new string('a', 152));
        result.SegmentTexts[1].Should().Be(Euro + new string('b', 10));
    }

    [Fact]
    public void Analyze_EscapeEndingExactlyOnTheBoundary_StaysInFirstSegment()
    {
        var text = new string('a', 151) + Euro + new string('b', 10);

        var result = SmsEncoder.Analyze(text);

        result.SegmentTexts[0].Should().Be(new string('a', 151) + Euro);
        result.SegmentTexts[1].Should().Be(new string('b', 10));
    }

    [Fact]
    public void Analyze_EscapeSplitOnlyIfUnavoidable_ThreeSegmentsWhenPushOverflows()
    {
        // 306 septets would fit 2 segments exactly, but a pair at 153/154 moves to segment 2, pushing one septet into a third.
        var text = new string('a', 152) + Euro + new string('b', 152);

        var result = SmsEncoder.Analyze(text);

        result.Units.Should().Be(306);
        result.Segments.Should().Be(3);
        result.SegmentTexts.Select(s => s.Length).Should().Equal(152, 152, 1);
    }

    [Fact]
    public void BasicCharacterSet_Has127DistinctCharactersCostingOneSeptet()
    {
        SmsEncoder.Gsm7BasicCharacters.Should().HaveLength(127);
        SmsEncoder.Gsm7BasicCharacters.Distinct().Should().HaveCount(127);
        SmsEncoder.Gsm7BasicCharacters.Where(c => SmsEncoder.Gsm7Septets(c) != 1).Should().BeEmpty();
    }

    [Theory]
    [InlineData('\f')]
    [InlineData('^')]
    [InlineData('{')]
    [InlineData('}')]
    [InlineData('\\')]
    [InlineData('[')]
    [InlineData('~')]
    [InlineData(']')]
    [InlineData('|')]
    [InlineData('€')]
    public void ExtensionCharacters_CostTwoSeptets(char c)
    {
        SmsEncoder.Gsm7Septets(c).Should().Be(2);
        SmsEncoder.Analyze(c.ToString()).Should().Match<SmsAnalysis>(a => a.Encoding == SmsEncodingKind.Gsm7 && a.Units == 2);
    }

    [Theory]
    [InlineData('@')]
    [InlineData('£')]
    [InlineData('$')]
    [InlineData('¤')]
    [InlineData('¡')]
    [InlineData('¿')]
    [InlineData('Δ')]
    [InlineData('Ω')]
    [InlineData('ß')]
    [InlineData('\n')]
    [InlineData('\r')]
    public void NotableBasicCharacters_AreGsm(char c)
    {
        SmsEncoder.Gsm7Septets(c).Should().Be(1);
    }

    [Theory]
    [InlineData("`")]
    [InlineData("ç")]
    [InlineData("á")]
    [InlineData("δ")]
    [InlineData("\t")]
    [InlineData("’")]
    [InlineData("«")]
    [InlineData("Ж")]
    [InlineData("ә")]
    [InlineData("ғ")]
    [InlineData("қ")]
    [InlineData("ң")]
    [InlineData("ө")]
    [InlineData("ұ")]
    [InlineData("ү")]
    [InlineData("һ")]
    [InlineData("і")]
    [InlineData("Ә")]
    [InlineData("І")]
    public void NonGsmCharacter_ForcesUcs2(string s)
    {
        var result = SmsEncoder.Analyze("Hello " + s);

        result.Encoding.Should().Be(SmsEncodingKind.Ucs2);
        result.Units.Should().Be(7);
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    [InlineData(201, 3)]
    [InlineData(202, 4)]
    public void Analyze_Cyrillic_UsesUcs2Limits(int length, int segments)
    {
        var result = SmsEncoder.Analyze(new string('ж', length));

        result.Encoding.Should().Be(SmsEncodingKind.Ucs2);
        result.Units.Should().Be(length);
        result.Segments.Should().Be(segments);
    }

    [Fact]
    public void Analyze_71Ucs2_SplitsInto67And4()
    {
        SmsEncoder.Analyze(new string('қ', 71)).SegmentTexts.Select(s => s.Length).Should().Equal(67, 4);
    }

    [Fact]
    public void Analyze_Emoji_TakesTwoUnitsButCountsAsOneCharacter()
    {
        var result = SmsEncoder.Analyze(Grin);

        result.Should().Be(new SmsAnalysis(SmsEncodingKind.Ucs2, 1, 2, 1, new([Grin])));
    }

    [Fact]
    public void Analyze_35Emoji_Are70UnitsInOneSegment_36AreTwo()
    {
        SmsEncoder.Analyze(string.Concat(Enumerable.Repeat(Grin, 35))).Segments.Should().Be(1);
        var result = SmsEncoder.Analyze(string.Concat(Enumerable.Repeat(Grin, 36)));

        result.Units.Should().Be(72);
        result.Characters.Should().Be(36);
        result.Segments.Should().Be(2);
        result.SegmentTexts.Select(s => s.Length).Should().Equal(66, 6);
    }

    [Fact]
    public void Analyze_SurrogatePairAtThe67Boundary_MovesWholeToNextSegment()
    {
        var text = new string('ж', 66) + Grin + new string('ж', 10);

        var result = SmsEncoder.Analyze(text);

        result.Units.Should().Be(78);
        result.SegmentTexts[0].Should().Be(new string('ж', 66));
        result.SegmentTexts[1].Should().Be(Grin + new string('ж', 10));
    }

    [Fact]
    public void Analyze_SurrogatePairEndingExactlyAt67_StaysInFirstSegment()
    {
        var text = new string('ж', 65) + Grin + new string('ж', 10);

        var result = SmsEncoder.Analyze(text);

        result.SegmentTexts[0].Should().Be(new string('ж', 65) + Grin);
        result.SegmentTexts[0].Length.Should().Be(67);
    }

    [Fact]
    public void Analyze_GsmTextWithOneCyrillicLetter_IsEntirelyUcs2()
    {
        var text = "Zhanaozen 16 December: solidarity " + "Жаңаөзен";

        var result = SmsEncoder.Analyze(text);

        result.Encoding.Should().Be(SmsEncodingKind.Ucs2);
        result.Units.Should().Be(text.Length);
        result.Segments.Should().Be(1);
    }

    [Fact]
    public void Analyze_EscapeCharactersInUcs2Text_CostOneUnit()
    {
        SmsEncoder.Analyze("€ж").Units.Should().Be(2);
    }

    [Fact]
    public void Analyze_LoneSurrogate_IsUcs2AndCountedAsOneUnit()
    {
        var result = SmsEncoder.Analyze("a\uD83D");

        result.Encoding.Should().Be(SmsEncodingKind.Ucs2);
        result.Characters.Should().Be(2);
        result.Units.Should().Be(2);
    }

    [Fact]
    public void Analyze_ManyRandomTexts_SegmentsRebuildTheTextWithinLimitsAndNeverSplitPairs()
    {
        var random = new Random(20111216);
        string[] pieces = ["a", "Z", " ", "{", "€", "\f", "ж", "қ", Grin, "\n", "é"];
        for (var run = 0; run < 500; run++)
        {
            var builder = new StringBuilder();
            var count = random.Next(0, 400);
            var pool = random.Next(2) == 0 ? pieces[..6] : pieces;
            for (var i = 0; i < count; i++)
            {
                builder.Append(pool[random.Next(pool.Length)]);
            }

            var text = builder.ToString();
            var result = SmsEncoder.Analyze(text);

            string.Concat(result.SegmentTexts).Should().Be(text);
            result.Segments.Should().Be(result.SegmentTexts.Count);
            var single = result.Encoding == SmsEncodingKind.Gsm7 ? 160 : 70;
            var part = result.Encoding == SmsEncodingKind.Gsm7 ? 153 : 67;
            int Cost(string s) => result.Encoding == SmsEncodingKind.Gsm7 ? s.Sum(SmsEncoder.Gsm7Septets) : s.Length;
            result.Units.Should().Be(Cost(text));
            if (result.Units <= single)
            {
                result.Segments.Should().Be(1);
            }
            else
            {
                foreach (var segment in result.SegmentTexts)
                {
                    segment.Should().NotBeEmpty();
                    Cost(segment).Should().BeLessThanOrEqualTo(part);
                    char.IsHighSurrogate(segment[^1]).Should().BeFalse();
                    char.IsLowSurrogate(segment[0]).Should().BeFalse();
                }

                // Greedy: each segment but the last is too full to take the next segment's first character.
                for (var i = 0; i < result.Segments - 1; i++)
                {
                    var next = result.SegmentTexts[i + 1];
                    var firstWidth = char.IsHighSurrogate(next[0]) ? 2 : 1;
                    Cost(result.SegmentTexts[i] + next[..firstWidth]).Should().BeGreaterThan(part);
                }
            }
        }
    }

    [Fact]
    public void IsGsm7_DetectsAnyNonGsmCharacter()
    {
        SmsEncoder.IsGsm7("Solidarity with Zhanaozen oil workers! {2011}").Should().BeTrue();
        SmsEncoder.IsGsm7("Solidarity — Zhanaozen").Should().BeFalse();
    }
}
