using System.Text;
using AlertPipeline.Infrastructure.Storage.Tables;
using Azure;

namespace AlertPipeline.UnitTests.Storage.Tables;

public class TableTransactionBodyTests
{
    private const string Base = "http://127.0.0.1:10002/devstoreaccount1";

    [Fact]
    public void Build_EveryActionType_WritesTheMultipartChangesetExactly()
    {
        var etag = new ETag("W/\"datetime'2024-01-02T03%3A04%3A05.1Z'\"");
        TableTransactionAction[] actions =
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "1") { ["N"] = 1L }),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "it's")),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "3")),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "4"), etag),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "5"), ETag.All),
            new(TableTransactionActionType.Delete, new TableEntity("p", "a b")),
        ];

        var body = Encoding.UTF8.GetString(TableTransactionBody.Build(Base, "t", actions, "batch_B", "changeset_C"));

        const string part = "--changeset_C\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n";
        const string json = "Content-Type: application/json\r\nAccept: application/json;odata=minimalmetadata\r\n";
        body.Should().Be(
            "--batch_B\r\nContent-Type: multipart/mixed; boundary=changeset_C\r\n\r\n" +
            part + $"POST {Base}/t HTTP/1.1\r\n" + json + "Prefer: return-no-content\r\nDataServiceVersion: 3.0;\r\n\r\n" +
            "{\"PartitionKey\":\"p\",\"RowKey\":\"1\",\"N\":\"1\",\"N@odata.type\":\"Edm.Int64\"}\r\n" +
            part + $"MERGE {Base}/t(PartitionKey='p',RowKey='it%27%27s') HTTP/1.1\r\n" + json + "DataServiceVersion: 3.0;\r\n\r\n" +
            "{\"PartitionKey\":\"p\",\"RowKey\":\"it's\"}\r\n" +
            part + $"PUT {Base}/t(PartitionKey='p',RowKey='3') HTTP/1.1\r\n" + json + "DataServiceVersion: 3.0;\r\n\r\n" +
            "{\"PartitionKey\":\"p\",\"RowKey\":\"3\"}\r\n" +
            part + $"MERGE {Base}/t(PartitionKey='p',RowKey='4') HTTP/1.1\r\n" + json +
            "If-Match: W/\"datetime'2024-01-02T03%3A04%3A05.1Z'\"\r\nDataServiceVersion: 3.0;\r\n\r\n" +
            "{\"PartitionKey\":\"p\",\"RowKey\":\"4\"}\r\n" +
            part + $"PUT {Base}/t(PartitionKey='p',RowKey='5') HTTP/1.1\r\n" + json + "If-Match: *\r\nDataServiceVersion: 3.0;\r\n\r\n" +
            "{\"PartitionKey\":\"p\",\"RowKey\":\"5\"}\r\n" +
            part + $"DELETE {Base}/t(PartitionKey='p',RowKey='a%20b') HTTP/1.1\r\nAccept: application/json;odata=minimalmetadata\r\n" +
            "If-Match: *\r\nDataServiceVersion: 3.0;\r\n\r\n" +
            "--changeset_C--\r\n--batch_B--\r\n");
    }

    // Captured from Azurite 3.35 (a successful Add, Merge and Delete).
    private const string SuccessResponse =
        "--batchresponse_9672650e-6ad1-4347-bde7-f65d93795a17\r\nContent-Type: multipart/mixed; boundary=changesetresponse_8b5d20a5-d36a-4fdc-9024-f81bb5ad8294\r\n\r\n" +
        "--changesetresponse_8b5d20a5-d36a-4fdc-9024-f81bb5ad8294\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
        "HTTP/1.1 204 No Content\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\nDataServiceVersion: 3.0;\r\n" +
        "Location: http://127.0.0.1:47123/devstoreaccount1/btable(PartitionKey='p',RowKey='a')\r\n" +
        "DataServiceId: http://127.0.0.1:47123/devstoreaccount1/btable(PartitionKey='p',RowKey='a')\r\n" +
        "ETag: W/\"datetime'2026-11-22T04%3A24%3A24.7906523Z'\"\r\n\r\n\r\n" +
        "--changesetresponse_8b5d20a5-d36a-4fdc-9024-f81bb5ad8294\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
        "HTTP/1.1 204 No Content\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\nDataServiceVersion: 3.0;\r\n" +
        "ETag: W/\"datetime'2026-11-22T04%3A24%3A24.7906563Z'\"\r\n\r\n\r\n" +
        "--changesetresponse_8b5d20a5-d36a-4fdc-9024-f81bb5ad8294\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
        "HTTP/1.1 204 No Content\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\nDataServiceVersion: 1.0;\r\n\r\n\r\n" +
        "--changesetresponse_8b5d20a5-d36a-4fdc-9024-f81bb5ad8294--\r\n--batchresponse_9672650e-6ad1-4347-bde7-f65d93795a17--\r\n";

    // Captured from Azurite 3.35: the third action was an Add of an existing entity.
    private const string FailureResponse =
        "--batchresponse_8174b9e0-7360-4c4e-b26e-ba1ac27dbafe\r\nContent-Type: multipart/mixed; boundary=changesetresponse_222197d6-f510-47f4-9101-fa77cbce3176\r\n\r\n" +
        "--changesetresponse_222197d6-f510-47f4-9101-fa77cbce3176\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
        "HTTP/1.1 409 Conflict\r\nContent-ID: 3\r\nDataServiceVersion: 3.0;\r\nContent-Type: application/json;odata=minimalmetadata;charset=utf-8\r\n\r\n" +
        "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"2:The specified entity already exists.\\nRequestId:795c4a03-2e1c-43ff-93bd-51251bc8c72d\\nTime:2026-11-22T04:24:20.195Z\"}}}\r\n" +
        "--changesetresponse_222197d6-f510-47f4-9101-fa77cbce3176--\r\n--batchresponse_8174b9e0-7360-4c4e-b26e-ba1ac27dbafe--\r\n";

    private static TableTransactionAction[] ThreeActions() =>
    [
        new(TableTransactionActionType.Add, new TableEntity("p", "a")),
        new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "b")),
        new(TableTransactionActionType.Delete, new TableEntity("p", "c")),
    ];

    [Fact]
    public void ParseMultipart_AzuriteSuccess_GivesStatusesAndETagsInOrder()
    {
        var actions = ThreeActions();
        var parts = TableTransactionBody.ParseMultipart(
            "multipart/mixed; boundary=batchresponse_9672650e-6ad1-4347-bde7-f65d93795a17", SuccessResponse);

        var results = TableTransactionBody.ToResults(parts, actions);

        results.Select(r => r.Status).Should().Equal(204, 204, 204);
        results[0].ETag.Should().Be(new ETag("W/\"datetime'2026-11-22T04%3A24%3A24.7906523Z'\""));
        results[1].ETag.Should().Be(new ETag("W/\"datetime'2026-11-22T04%3A24%3A24.7906563Z'\""));
        results[2].ETag.Should().Be(default(ETag));
        results.Select(r => r.Action).Should().Equal(actions);
    }

    [Fact]
    public void ParseMultipart_AzuriteFailure_ThrowsWithIndexCodeAndAction()
    {
        var actions = ThreeActions();
        var parts = TableTransactionBody.ParseMultipart(
            "multipart/mixed; boundary=batchresponse_8174b9e0-7360-4c4e-b26e-ba1ac27dbafe", FailureResponse);

        var act = () => TableTransactionBody.ToResults(parts, actions);

        var ex = act.Should().Throw<TableTransactionFailedException>().Which;
        ex.Status.Should().Be(409);
        ex.ErrorCode.Should().Be("EntityAlreadyExists");
        ex.FailedOperationIndex.Should().Be(2);
        ex.FailedTransactionActionIndex.Should().Be(2);
        ex.FailedAction.Should().BeSameAs(actions[2]);
        ex.Message.Should().Contain("at action 2 (Delete)").And.Contain("The specified entity already exists.").And.NotContain("RequestId");
    }

    [Fact]
    public void ParseMultipart_AzureDocsSampleWithLfAndQuotedBoundary_Works()
    {
        // The shape of the documented Azure error response, with bare LF line endings and a quoted boundary.
        var body = string.Join(
            "\n",
            "--batchresponse_e69b1c6c",
            "Content-Type: multipart/mixed; boundary=\"changesetresponse_762f4a1b\"",
            string.Empty,
            "--changesetresponse_762f4a1b",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            string.Empty,
            "HTTP/1.1 404 Not Found",
            "Content-ID: 2",
            "Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8",
            string.Empty,
            "{\"odata.error\":{\"code\":\"ResourceNotFound\",\"message\":{\"lang\":\"en-US\",\"value\":\"1:The specified resource does not exist.\\nRequestId:x\"}}}",
            "--changesetresponse_762f4a1b--",
            "--batchresponse_e69b1c6c--",
            string.Empty);

        var parts = TableTransactionBody.ParseMultipart("multipart/mixed; boundary=batchresponse_e69b1c6c", body);
        var act = () => TableTransactionBody.ToResults(parts, ThreeActions());

        parts.Should().ContainSingle().Which.Status.Should().Be(404);
        act.Should().Throw<TableTransactionFailedException>().Which.FailedOperationIndex.Should().Be(1);
    }

    [Fact]
    public void ToResults_WrongNumberOfParts_Throws()
    {
        var parts = TableTransactionBody.ParseMultipart(
            "multipart/mixed; boundary=batchresponse_9672650e-6ad1-4347-bde7-f65d93795a17", SuccessResponse);

        var act = () => TableTransactionBody.ToResults(parts, ThreeActions()[..2]);

        act.Should().Throw<RequestFailedException>().WithMessage("*3 operation responses for 2 actions*");
    }

    [Fact]
    public void ParseMultipart_NoBoundary_ThrowsFormatException() =>
        FluentActions.Invoking(() => TableTransactionBody.ParseMultipart("application/json", "{}")).Should().Throw<FormatException>();

    [Fact]
    public void Validate_RejectsBadBatches_NamingTheAction()
    {
        FluentActions.Invoking(() => TableTransactionBody.Validate([], "actions")).Should().Throw<ArgumentException>().WithMessage("*at least one*");
        FluentActions.Invoking(() => TableTransactionBody.Validate(
                Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"{i}"))),
                "actions"))
            .Should().Throw<ArgumentException>().WithMessage("*at most 100*101*");
        FluentActions.Invoking(() => TableTransactionBody.Validate(
                [
                    new(TableTransactionActionType.Add, new TableEntity("p", "a")),
                    new(TableTransactionActionType.Delete, new TableEntity("p", "a")),
                ],
                "actions"))
            .Should().Throw<ArgumentException>().WithMessage("Actions 0 and 1 have the same RowKey*").Which.ParamName.Should().Be("actions[1]");
        FluentActions.Invoking(() => TableTransactionBody.Validate(
                [new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "a"))],
                "actions"))
            .Should().Throw<ArgumentException>().WithMessage("*ETag*").Which.ParamName.Should().Be("actions[0]");
    }

    [Fact]
    public void Validate_DeleteNeedsOnlyKeys()
    {
        var delete = new TableTransactionAction(
            TableTransactionActionType.Delete,
            new TableEntity("p", "a") { ["bad name"] = 1 });

        FluentActions.Invoking(() => TableTransactionBody.Validate([delete], "actions")).Should().NotThrow();
    }
}
