package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelimitedWriterTest {
  @Test
  void csvHeaderIsTheColumnKeys() {
    assertEquals("seq_num,trn_id,din_id,client_id,client_name,dialin_id,dialin_name,fwd_id,clr_id_cipher,"
        + "din_tms,tst_tms,eoc_tms,calling_sec,talking_sec,conn_sec,dial_stat,clr_type,fwd_type,hup_usr,"
        + "logvars.valid_res,nfy_email,nfy_http,call_charge\r\n", DelimitedWriter.csv().header());
  }

  @Test
  void csvQuotesCommasQuotesAndLineBreaks() {
    String line = DelimitedWriter.csv().line(Arrays.asList("plain", "株式会社アクメ", null, "a,b", "say \"hi\"",
        "two\r\nlines", "x\ny", "a\rb"));
    assertEquals("plain,株式会社アクメ,,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"x\ny\",\"a\rb\"\r\n", line);
  }

  @Test
  void csvRoundTripsEverything() {
    List<String> cells = Arrays.asList("2026/11/29 17:21:55", "ロングネームの広告主ロングネームの広告主ロングネームの広告主",
        " leading", "trailing ", "tab\there", "", "1+2=3", "\"", ",", "日本語,\"引用\"\n改行", "0120-123-456");
    assertEquals(cells, Rfc4180.parseRecord(DelimitedWriter.csv().line(cells)));
  }

  @Test
  void tsvReplacesTabsAndLineBreaksWithSpacesAndNeverQuotes() {
    assertEquals("tab here\ttwo lines\ta,b\tsay \"hi\"\t有効\t2026/11/29 17:21:55\r\n",
        DelimitedWriter.tsv().line(Arrays.asList(
            "tab\there", "two\nlines", "a,b", "say \"hi\"", "有効", "2026/11/29 17:21:55")));
    assertEquals("a  b\t\r\n", DelimitedWriter.tsv().line(Arrays.asList("a\r\nb", "")));
  }

  @Test
  void tsvHeader() {
    assertEquals(String.join("\t", CallLogColumns.NAMES) + "\r\n", DelimitedWriter.tsv().header());
  }

  @Test
  void formulaLikeValuesAreNeutralizedForSpreadsheets() {
    List<String> cells = List.of("=HYPERLINK(\"http://x\")", "+81", "-1", "@SUM(A1)", "0120-123-456", "渋谷店");
    List<String> csv = Rfc4180.parseRecord(DelimitedWriter.csv().line(cells));
    assertEquals(List.of("'=HYPERLINK(\"http://x\")", "'+81", "'-1", "'@SUM(A1)", "0120-123-456", "渋谷店"), csv);
    assertEquals("'=1+2\t0120-123-456\r\n", DelimitedWriter.tsv().line(List.of("=1+2", "0120-123-456")));
  }
}
