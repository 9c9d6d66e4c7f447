package workspace

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// ExportCSV writes the awards q finds as CSV (UTF-8 with a BOM, so that
// spreadsheets read the accents).
func ExportCSV(ctx context.Context, ws *Service, q AwardQuery, w io.Writer) error {
	io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.Write([]string{"credential_id", "achievement_id", "name", "email", "lang", "status", "awarded_at", "source", "line"})
	q.Limit, q.Offset = 1000, 0
	for {
		list, total, err := ws.Store.SearchAwards(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range list {
			st := ""
			if cr, err := ws.Issuer.Store.GetCredential(ctx, r.CredentialID); err == nil {
				st = cr.Status
			}
			cw.Write([]string{r.CredentialID, r.AchievementID, csvSafe(r.Name), csvSafe(r.Email), r.Lang, st,
				r.CreatedAt.UTC().Format(time.RFC3339), csvSafe(r.Source), strconv.Itoa(r.Line)})
		}
		q.Offset += len(list)
		if len(list) == 0 || q.Offset >= total {
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a cell that a spreadsheet would run as a formula
// (CSV injection: =, +, -, @ first) as text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
