package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

// yearRe is what yearsIn finds, as a regular expression.
var yearRe = regexp.MustCompile(`((?:19|20)\d\d)\s*年`)

// yearsByRegexp is what yearRe finds, as yearsIn reports it.
func yearsByRegexp(t string) []string {
	var out []string
	for _, m := range yearRe.FindAllStringSubmatchIndex(t, -1) {
		y, _ := strconv.Atoi(t[m[2]:m[3]])
		out = append(out, fmt.Sprint(y, m[0], m[1]))
	}
	return out
}

func yearsByScan(t string) []string {
	var out []string
	yearsIn(t, func(y, s, e int) bool {
		out = append(out, fmt.Sprint(y, s, e))
		return true
	})
	return out
}

// TestYearsInAsTheRegexp: the scanner finds what yearRe finds, where it finds it.
func TestYearsInAsTheRegexp(t *testing.T) {
	for _, s := range []string{
		"", "年", "2019年", "2019 年", "2019\t\n 年度", "12019年", "20192020年", "2019 2020年", "1899年1900年2099年2100年",
		"２０１９年", "2019年2020年", "20 19年", "2019年 2020 年度报告", "关于2022年度政府信息公开工作", "年2019年年",
		"1919年", "2020\u3000年", "x2021  年y", "2019\v年",
	} {
		if a, b := yearsByRegexp(s), yearsByScan(s); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%q: regexp %v, scan %v", s, a, b)
		}
	}
}

func FuzzYearsIn(f *testing.F) {
	f.Add("2019年 2020 年度")
	f.Add("12019年20192020年")
	f.Fuzz(func(t *testing.T, s string) {
		if a, b := yearsByRegexp(s), yearsByScan(s); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%q: regexp %v, scan %v", s, a, b)
		}
	})
}
