package io.synod.client.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.client.terminal.CommandArguments.Split;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.Parser;
import org.junit.jupiter.api.Test;

class CommandArgumentsTest {
    @Test
    void aNameThenTextTakesAQuotedOrABareName() {
        assertThat(CommandArguments.split("/msg \"Ana Maria\" oi, tudo bem?", true))
                .isEqualTo(new Split("/msg", "Ana Maria", "oi, tudo bem?"));
        assertThat(CommandArguments.split("/msg 'Ana Maria'   oi", true))
                .isEqualTo(new Split("/msg", "Ana Maria", "oi"));
        assertThat(CommandArguments.split("/msg ana  oi  \"você\"", true))
                .isEqualTo(new Split("/msg", "ana", "oi  \"você\""));
        assertThat(CommandArguments.split("/msg #geral oi", true)).isEqualTo(new Split("/msg", "#geral", "oi"));
        assertThat(CommandArguments.split("/msg 'diz \"oi\"' oi", true))
                .isEqualTo(new Split("/msg", "diz \"oi\"", "oi"));
        assertThat(CommandArguments.split("/msg \"Ana Maria\"", true)).isEqualTo(new Split("/msg", "Ana Maria", null));
        assertThat(CommandArguments.split("/msg", true)).isEqualTo(new Split("/msg", null, null));
    }

    @Test
    void aCommandWhoseOnlyArgumentIsANameTakesTheRestOfTheLine() {
        for (String command : List.of("/join", "/switch", "/create", "/history", "/dm", "/login", "/leave")) {
            assertThat(CommandArguments.split(command + " minha sala", false))
                    .isEqualTo(new Split(command, "minha sala", null));
            assertThat(CommandArguments.split(command + " 'minha sala'", false))
                    .isEqualTo(new Split(command, "minha sala", null));
            assertThat(CommandArguments.split(command + "   \"Ana Maria\"", false))
                    .isEqualTo(new Split(command, "Ana Maria", null));
            assertThat(CommandArguments.split(command + " #geral", false))
                    .isEqualTo(new Split(command, "#geral", null));
            assertThat(CommandArguments.split(command, false)).isEqualTo(new Split(command, null, null));
        }
        assertThat(CommandArguments.split("/join it's mine", false)).isEqualTo(new Split("/join", "it's mine", null));
    }

    @Test
    void anOpenQuoteOrTextAfterAQuotedNameIsAnError() {
        assertThatThrownBy(() -> CommandArguments.split("/join \"minha sala", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no closing \"");
        assertThatThrownBy(() -> CommandArguments.split("/msg 'Ana oi", true)).hasMessageContaining("no closing '");
        assertThatThrownBy(() -> CommandArguments.split("/join \"a\" b", false))
                .hasMessageContaining("nothing may follow");
        assertThatThrownBy(() -> CommandArguments.split("/msg \"Ana\"oi", true)).hasMessageContaining("put a space");
    }

    @Test
    void namesAreQuotedOnlyWhenTheyMustBe() {
        assertThat(CommandArguments.quote("ana", true)).isEqualTo("ana");
        assertThat(CommandArguments.quote("#geral", true)).isEqualTo("#geral");
        assertThat(CommandArguments.quote("Ana Maria", true)).isEqualTo("\"Ana Maria\"");
        assertThat(CommandArguments.quote("Ana", false)).isEqualTo("Ana");
        assertThat(CommandArguments.quote("Ana M", false)).isEqualTo("\"Ana M");
        assertThat(CommandArguments.quote("diz \"oi\"", true)).isEqualTo("'diz \"oi\"'");
        assertThat(CommandArguments.quote("'x", true)).isEqualTo("\"'x\"");
        for (String name : List.of("Ana Maria", "minha sala", "#geral", "diz \"oi\"", "it's mine", "'x", "a\\b")) {
            Split split = CommandArguments.split("/msg " + CommandArguments.quote(name, true) + " oi", true);
            assertThat(split.first()).as(name).isEqualTo(name);
            assertThat(split.rest()).isEqualTo("oi");
        }
    }

    @Test
    void tabCompletionInsertsNamesQuoted() {
        QuotingParser parser = new QuotingParser();
        for (String typed : List.of("/msg Ana", "/msg \"Ana", "/msg 'Ana", "/msg ")) {
            CompletingParsedLine line =
                    (CompletingParsedLine) parser.parse(typed, typed.length(), Parser.ParseContext.COMPLETE);
            assertThat(line.wordIndex()).as(typed).isEqualTo(1);
            assertThat(line.words().get(0)).isEqualTo("/msg");
            assertThat(line.escape("Ana Maria", true)).as(typed).hasToString("\"Ana Maria\"");
            assertThat(line.escape("ana", true)).as(typed).hasToString("ana");
        }
        CompletingParsedLine quoted =
                (CompletingParsedLine) parser.parse("/msg \"Ana M", 11, Parser.ParseContext.COMPLETE);
        assertThat(quoted.word()).isEqualTo("Ana M");
        assertThat(quoted.rawWordLength()).isEqualTo(6);
        CompletingParsedLine text =
                (CompletingParsedLine) parser.parse("/msg \"Ana Maria\" oi", 19, Parser.ParseContext.COMPLETE);
        assertThat(text.wordIndex()).isEqualTo(2);
        assertThat(text.words()).containsExactly("/msg", "Ana Maria", "oi");
    }
}
