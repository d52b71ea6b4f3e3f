#include "store/text_fold.h"

#include <gtest/gtest.h>

namespace sb::store {
namespace {

TEST(TextFold, AsciiLowersLettersOnly) {
  EXPECT_EQ(fold_case("Hello, World 42!"), "hello, world 42!");
}

TEST(TextFold, PolishLettersFold) {
  EXPECT_EQ(fold_case("ŁUKASZ WIŚNIEWSKI"), "łukasz wiśniewski");
  EXPECT_EQ(fold_case("ŻÓŁĆ ĘĄŃŹ"), "żółć ęąńź");
}

TEST(TextFold, VietnameseLettersFold) {
  EXPECT_EQ(fold_case("NGUYỄN VĂN AN"), "nguyễn văn an");
  EXPECT_EQ(fold_case("ĐẶNG THỊ ƯỚC ƠN"), "đặng thị ước ơn");
}

TEST(TextFold, CyrillicLettersFold) {
  EXPECT_EQ(fold_case("ИВАНОВ ПЁТР"), "иванов пётр");
  EXPECT_EQ(fold_case("ЄҐЇЎ Ӂ Ԁ"), "єґїў ӂ ԁ");
}

TEST(TextFold, EstonianAndRomanianLettersFold) {
  EXPECT_EQ(fold_case("ÕUNAPUU ÄÖÜ ŠŽ"), "õunapuu äöü šž");
  EXPECT_EQ(fold_case("ȘTEFĂNESCU ȚÂȘ Î"), "ștefănescu țâș î");
}

TEST(TextFold, GreekFoldsIncludingFinalSigma) {
  EXPECT_EQ(fold_case("ΟΔΥΣΣΕΥΣ"), "οδυσσευσ");
  EXPECT_EQ(fold_case("Οδυσσεύς"), "οδυσσεύσ");
  EXPECT_EQ(fold_case("ΆΈΉΊΌΎΏ"), "άέήίόύώ");
}

TEST(TextFold, SpecialCasesAreSimpleFolds) {
  EXPECT_EQ(fold_case("ẞ"), "ß");           // capital sharp s -> ß, not "ss"
  EXPECT_EQ(fold_case("İ"), "i");           // dotted capital I
  EXPECT_EQ(fold_case("Ÿ"), "ÿ");
  EXPECT_EQ(fold_case("×÷"), "×÷");         // Latin-1 symbols are not letters
  EXPECT_EQ(fold_case("日本語 🙂"), "日本語 🙂");  // outside the covered blocks: unchanged
}

TEST(TextFold, IsIdempotentOnLowerCase) {
  const std::string lower = "łukasz nguyễn иванов õunapuu ștefan οδυσσευσ";
  EXPECT_EQ(fold_case(lower), lower);
  EXPECT_EQ(fold_case(fold_case("ŁUKASZ NGUYỄN ИВАНОВ")), fold_case("ŁUKASZ NGUYỄN ИВАНОВ"));
}

TEST(TextFold, EveryCoveredUpperCaseFoldsToADifferentCodePoint) {
  // Spot checks across the pair tables: upper != lower and lower is stable.
  for (char32_t c : {U'Ā', U'Ĳ', U'Ĺ', U'Ŋ', U'Ź', U'Ơ', U'Ư', U'Ǎ', U'Ǟ', U'Ș', U'Ț', U'Ḁ', U'Ạ', U'Ỹ', U'Ѐ',
                     U'Я', U'Ѡ', U'Ҋ', U'Ӑ', U'Ԁ', U'Α', U'Ω'}) {
    char32_t lower = fold_code_point(c);
    EXPECT_NE(lower, c) << std::hex << static_cast<unsigned>(c);
    EXPECT_EQ(fold_code_point(lower), lower) << std::hex << static_cast<unsigned>(c);
  }
}

TEST(TextFold, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(fold_case(std::string("A\xFF" "B")), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(fold_case(std::string("\xC3")), "\xEF\xBF\xBD");          // truncated sequence
  EXPECT_EQ(fold_case(std::string("\xC0\xAF")), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(fold_case(std::string("\xED\xA0\x80")), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace sb::store
