package extract

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// oracleReadings counts, by brute force over cut positions, the readings of a
// digit string as w numbers whose first w-1 sum to the last (written apart from
// the extractor's own enumeration on purpose).
func oracleReadings(d string, w int) [][]float64 {
	var out [][]float64
	n := len(d)
	if n < w || n > 24 {
		return nil
	}
	for mask := 0; mask < 1<<(n-1); mask++ {
		cuts := 0
		for m := mask; m > 0; m &= m - 1 {
			cuts++
		}
		if cuts != w-1 {
			continue
		}
		var parts []float64
		start, ok := 0, true
		for i := 1; i <= n; i++ {
			if i == n || mask&(1<<(i-1)) != 0 {
				p := d[start:i]
				if len(p) > 1 && p[0] == '0' {
					ok = false
					break
				}
				var v float64
				fmt.Sscan(p, &v)
				parts = append(parts, v)
				start = i
			}
		}
		if !ok {
			continue
		}
		s := 0.0
		for _, v := range parts[:w-1] {
			s += v
		}
		if s == parts[w-1] {
			out = append(out, parts)
		}
	}
	return out
}

var requestLabels = map[string]string{}

func init() {
	for _, spec := range []*report.TableSpec{report.Requests2021, report.Requests2019} {
		for _, r := range spec.Rows {
			requestLabels[r.Key] = strings.ReplaceAll(r.Label, " ", "")
		}
	}
}

// flatten writes a seed's own table 三 and 四 with every row's printed cells run
// together, half of them glued to the label.
func flatten(t *testing.T, seed string) (string, seedExpect) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(seedDir, seed+".expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want seedExpect
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	doc.WriteString("某机关2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n")
	for i, rs := range report.Requests2021.Rows {
		var digits strings.Builder
		for _, c := range report.ApplicantCols {
			if v := want.Requests[rs.Key][c.Key]; v != nil {
				digits.WriteString(report.FormatNumber(*v))
			}
		}
		sep := " "
		if i%2 == 0 {
			sep = ""
		}
		fmt.Fprintf(&doc, "%s%s%s\n", requestLabels[rs.Key], sep, digits.String())
	}
	doc.WriteString("四、政府信息公开行政复议、行政诉讼情况\n")
	var rv strings.Builder
	for _, g := range report.ReviewLitigation.Rows {
		for _, c := range g.Cols {
			if v := want.ReviewLitigation[g.Key][c.Key]; v != nil {
				rv.WriteString(report.FormatNumber(*v))
			}
		}
	}
	doc.WriteString(rv.String() + "\n五、存在的主要问题及改进情况\n无。\n")
	return doc.String(), want
}

func TestRunTogetherSeedTables(t *testing.T) {
	for _, seed := range []string{"003_c00c0f458b041d9c", "002_65ae609cbadd49bc"} {
		t.Run(seed, func(t *testing.T) {
			text, want := flatten(t, seed)
			rec := extractString(t, text)
			warnings := strings.Join(rec.Warnings, "\n")
			recovered := 0
			for _, rs := range report.Requests2021.Rows {
				var digits strings.Builder
				for _, c := range report.ApplicantCols {
					if v := want.Requests[rs.Key][c.Key]; v != nil {
						digits.WriteString(report.FormatNumber(*v))
					}
				}
				readings := oracleReadings(digits.String(), 7)
				for _, c := range report.ApplicantCols {
					got := cell(t, rec, "requests."+rs.Key+"."+c.Key)
					exp := want.Requests[rs.Key][c.Key]
					switch {
					case got != nil && (exp == nil || *got != *exp):
						t.Errorf("%s.%s = %v, want %v", rs.Key, c.Key, *got, exp)
					case got == nil && len(readings) == 1:
						t.Errorf("%s: the split of %q is unique but %s is null", rs.Key, digits.String(), c.Key)
					case got == nil && !strings.Contains(warnings, "requests."+rs.Key+":"):
						t.Errorf("%s left null without a warning", rs.Key)
					}
				}
				if v := cell(t, rec, "requests."+rs.Key+".total"); v != nil {
					recovered++
				}
			}
			if recovered == 0 {
				t.Fatal("no row recovered")
			}
			for _, g := range report.ReviewLitigation.Rows {
				for _, c := range g.Cols {
					got := cell(t, rec, "review_litigation."+g.Key+"."+c.Key)
					exp := want.ReviewLitigation[g.Key][c.Key]
					if got != nil && (exp == nil || *got != *exp) {
						t.Errorf("review %s.%s = %v, want %v", g.Key, c.Key, *got, exp)
					}
				}
			}
			if seed == "003_c00c0f458b041d9c" {
				wantCell(t, rec, "review_litigation.suit_after_review.total", 0) // 15 zeros: one reading
			}
		})
	}
}

func TestRunTogetherMultiDigitUnique(t *testing.T) {
	rec := extractString(t, "某机关2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 713000074\n")
	for i, want := range []float64{71, 3, 0, 0, 0, 0, 74} {
		wantCell(t, rec, "requests.new_received."+report.ApplicantCols[i].Key, want)
	}
	if !strings.Contains(strings.Join(rec.Warnings, " "), "recovered as [71 3 0 0 0 0 74]") {
		t.Errorf("method not named: %v", rec.Warnings)
	}
}

// Two readings fit the row; the text does not decide: null, readings listed.
func TestRunTogetherAmbiguous(t *testing.T) {
	rec := extractString(t, "某机关2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章2112\n三、收到和处理政府信息公开申请情况\n四、结转下年度继续办理212003026\n")
	for _, c := range []string{"issued", "repealed", "in_force"} {
		wantNull(t, rec, "active.rules."+c)
	}
	for _, c := range report.ApplicantCols {
		wantNull(t, rec, "requests.carried_forward."+c.Key)
	}
	w := strings.Join(rec.Warnings, "\n")
	for _, s := range []string{"[2 1 12]; [2 11 2]", "[2 1 20 0 3 0 26]; [21 2 0 0 3 0 26]"} {
		if !strings.Contains(w, s) {
			t.Errorf("readings %s not listed in %s", s, w)
		}
	}
}

// The same ambiguous row, decided by the column identities with the rows around it.
func TestRunTogetherResolvedByColumns(t *testing.T) {
	rec := extractString(t, `某机关2022年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量	5	1	20	0	3	0	29
二、上年结转政府信息公开申请数量	0	0	0	0	0	0	0
（七）总计	3	0	0	0	0	0	3
四、结转下年度继续办理212003026
`)
	for i, want := range []float64{2, 1, 20, 0, 3, 0, 26} {
		wantCell(t, rec, "requests.carried_forward."+report.ApplicantCols[i].Key, want)
	}
	if !strings.Contains(strings.Join(rec.Warnings, " "), "column identities") {
		t.Errorf("method not named: %v", rec.Warnings)
	}
}

// The narrative decides between readings.
func TestRunTogetherResolvedByNarrative(t *testing.T) {
	rec := extractString(t, `某机关2022年政府信息公开工作年度报告
一、总体情况
全年共收到政府信息公开申请26件。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量212003026
`)
	// Both readings total 26: the text cannot decide between them.
	wantNull(t, rec, "requests.new_received.natural_person")
	rec = extractString(t, `某机关2022年政府信息公开工作年度报告
一、总体情况
全年共收到政府信息公开申请49件。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量11012320349
`)
	// [1 10 12 3 20 3 49] and [11 0 12 3 20 3 49] both total 49: still null.
	wantNull(t, rec, "requests.new_received.natural_person")
	wantNull(t, rec, "requests.new_received.total")

	// Readings [1 0 1 1 18104 5 18112] and [10 11 18 10 45 18 112]: the text's 112 decides.
	rec = extractString(t, `某机关2022年政府信息公开工作年度报告
一、总体情况
全年共收到政府信息公开申请112件。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量101118104518112
`)
	for i, want := range []float64{10, 11, 18, 10, 45, 18, 112} {
		wantCell(t, rec, "requests.new_received."+report.ApplicantCols[i].Key, want)
	}
	if !strings.Contains(strings.Join(rec.Warnings, " "), "figures in the text") {
		t.Errorf("method not named: %v", rec.Warnings)
	}
}

// A long run of digits ends quickly as too ambiguous, never a hang.
func TestRunTogetherBounded(t *testing.T) {
	rec := extractString(t, "某机关2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量"+strings.Repeat("1", 60)+"\n四、政府信息公开行政复议、行政诉讼情况\n"+strings.Repeat("12", 30)+"\n")
	wantNull(t, rec, "requests.new_received.total")
	if !strings.Contains(strings.Join(rec.Warnings, " "), "run-together digits") {
		t.Errorf("no warning: %v", rec.Warnings)
	}
}

// One-column rows glued to their label read as the number they are.
func TestGluedSingleValues(t *testing.T) {
	rec := extractString(t, "某机关2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n信息内容 本年制发件数 本年废止件数 现行有效件数\n行政许可6753\n行政事业性收费83.93\n规章000\n")
	wantCell(t, rec, "active.licensing.decisions", 6753)
	wantCell(t, rec, "active.fees.amount_10k_yuan", 83.93)
	wantCell(t, rec, "active.rules.in_force", 0)
}
