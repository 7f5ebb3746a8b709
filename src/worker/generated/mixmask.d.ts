import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace mixmask. */
export namespace mixmask {

    /** Namespace v1. */
    namespace v1 {

        /** Represents a Worker */
        class Worker extends $protobuf.rpc.Service {

            /**
             * Constructs a new Worker service.
             * @param rpcImpl RPC implementation
             * @param [requestDelimited=false] Whether requests are length-delimited
             * @param [responseDelimited=false] Whether responses are length-delimited
             */
            constructor(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean);

            /**
             * Creates new Worker service using the specified rpc implementation.
             * @param rpcImpl RPC implementation
             * @param [requestDelimited=false] Whether requests are length-delimited
             * @param [responseDelimited=false] Whether responses are length-delimited
             * @returns RPC service. Useful where requests and/or responses are streamed.
             */
            static create(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean): Worker;

            /** Calls Hello. */
            hello: mixmask.v1.Worker.Hello;

            /** Calls CreateRun. */
            createRun: mixmask.v1.Worker.CreateRun;

            /** Calls Train. */
            train: mixmask.v1.Worker.Train;

            /** Calls Knn. */
            knn: mixmask.v1.Worker.Knn;

            /** Calls SaveCheckpoint. */
            saveCheckpoint: mixmask.v1.Worker.SaveCheckpoint;

            /** Calls LoadCheckpoint. */
            loadCheckpoint: mixmask.v1.Worker.LoadCheckpoint;

            /** Calls Preview. */
            preview: mixmask.v1.Worker.Preview;

            /** Calls Shutdown. */
            shutdown: mixmask.v1.Worker.Shutdown;

            /** Calls BeginUpload. */
            beginUpload: mixmask.v1.Worker.BeginUpload;

            /** Calls UploadParts. */
            uploadParts: mixmask.v1.Worker.UploadParts;

            /** Calls FinishUpload. */
            finishUpload: mixmask.v1.Worker.FinishUpload;

            /** Calls OpenStream. */
            openStream: mixmask.v1.Worker.OpenStream;

            /** Calls PushBatches. */
            pushBatches: mixmask.v1.Worker.PushBatches;

            /** Calls CloseStream. */
            closeStream: mixmask.v1.Worker.CloseStream;

            /** Calls LinearProbe. */
            linearProbe: mixmask.v1.Worker.LinearProbe;

            /** Calls FineTune. */
            fineTune: mixmask.v1.Worker.FineTune;

            /** Calls DescribeRank. */
            describeRank: mixmask.v1.Worker.DescribeRank;

            /** Calls CreateDistributedRun. */
            createDistributedRun: mixmask.v1.Worker.CreateDistributedRun;

            /** Calls TrainShard. */
            trainShard: mixmask.v1.Worker.TrainShard;

            /** Calls Export. */
            export: mixmask.v1.Worker.Export;

            /** Calls LoadBackbone. */
            loadBackbone: mixmask.v1.Worker.LoadBackbone;

            /** Calls Embed. */
            embed: mixmask.v1.Worker.Embed;
        }

        namespace Worker {

            /**
             * Callback as used by {@link mixmask.v1.Worker#hello}.
             * @param error Error, if any
             * @param [response] HelloReply
             */
            type HelloCallback = (error: (Error|null), response?: mixmask.v1.HelloReply) => void;

            /** Calls Hello. */
            type Hello = {
              (request: mixmask.v1.IHelloRequest, callback: mixmask.v1.Worker.HelloCallback): void;
              (request: mixmask.v1.IHelloRequest): Promise<mixmask.v1.HelloReply>;
              readonly name: "Hello";
              readonly path: "/mixmask.v1.Worker/Hello";
              readonly requestType: "HelloRequest";
              readonly responseType: "HelloReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#createRun}.
             * @param error Error, if any
             * @param [response] CreateRunReply
             */
            type CreateRunCallback = (error: (Error|null), response?: mixmask.v1.CreateRunReply) => void;

            /** Calls CreateRun. */
            type CreateRun = {
              (request: mixmask.v1.ICreateRunRequest, callback: mixmask.v1.Worker.CreateRunCallback): void;
              (request: mixmask.v1.ICreateRunRequest): Promise<mixmask.v1.CreateRunReply>;
              readonly name: "CreateRun";
              readonly path: "/mixmask.v1.Worker/CreateRun";
              readonly requestType: "CreateRunRequest";
              readonly responseType: "CreateRunReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#train}.
             * @param error Error, if any
             * @param [response] StepResult
             */
            type TrainCallback = (error: (Error|null), response?: mixmask.v1.StepResult) => void;

            /** Calls Train. */
            type Train = {
              (request: mixmask.v1.IStepPlan, callback: mixmask.v1.Worker.TrainCallback): void;
              (request: mixmask.v1.IStepPlan): Promise<mixmask.v1.StepResult>;
              readonly name: "Train";
              readonly path: "/mixmask.v1.Worker/Train";
              readonly requestType: "StepPlan";
              readonly responseType: "StepResult";
              readonly requestStream: true;
              readonly responseStream: true;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#knn}.
             * @param error Error, if any
             * @param [response] KnnReply
             */
            type KnnCallback = (error: (Error|null), response?: mixmask.v1.KnnReply) => void;

            /** Calls Knn. */
            type Knn = {
              (request: mixmask.v1.IKnnRequest, callback: mixmask.v1.Worker.KnnCallback): void;
              (request: mixmask.v1.IKnnRequest): Promise<mixmask.v1.KnnReply>;
              readonly name: "Knn";
              readonly path: "/mixmask.v1.Worker/Knn";
              readonly requestType: "KnnRequest";
              readonly responseType: "KnnReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#saveCheckpoint}.
             * @param error Error, if any
             * @param [response] SaveCheckpointReply
             */
            type SaveCheckpointCallback = (error: (Error|null), response?: mixmask.v1.SaveCheckpointReply) => void;

            /** Calls SaveCheckpoint. */
            type SaveCheckpoint = {
              (request: mixmask.v1.ISaveCheckpointRequest, callback: mixmask.v1.Worker.SaveCheckpointCallback): void;
              (request: mixmask.v1.ISaveCheckpointRequest): Promise<mixmask.v1.SaveCheckpointReply>;
              readonly name: "SaveCheckpoint";
              readonly path: "/mixmask.v1.Worker/SaveCheckpoint";
              readonly requestType: "SaveCheckpointRequest";
              readonly responseType: "SaveCheckpointReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#loadCheckpoint}.
             * @param error Error, if any
             * @param [response] LoadCheckpointReply
             */
            type LoadCheckpointCallback = (error: (Error|null), response?: mixmask.v1.LoadCheckpointReply) => void;

            /** Calls LoadCheckpoint. */
            type LoadCheckpoint = {
              (request: mixmask.v1.ILoadCheckpointRequest, callback: mixmask.v1.Worker.LoadCheckpointCallback): void;
              (request: mixmask.v1.ILoadCheckpointRequest): Promise<mixmask.v1.LoadCheckpointReply>;
              readonly name: "LoadCheckpoint";
              readonly path: "/mixmask.v1.Worker/LoadCheckpoint";
              readonly requestType: "LoadCheckpointRequest";
              readonly responseType: "LoadCheckpointReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#preview}.
             * @param error Error, if any
             * @param [response] PreviewReply
             */
            type PreviewCallback = (error: (Error|null), response?: mixmask.v1.PreviewReply) => void;

            /** Calls Preview. */
            type Preview = {
              (request: mixmask.v1.IPreviewRequest, callback: mixmask.v1.Worker.PreviewCallback): void;
              (request: mixmask.v1.IPreviewRequest): Promise<mixmask.v1.PreviewReply>;
              readonly name: "Preview";
              readonly path: "/mixmask.v1.Worker/Preview";
              readonly requestType: "PreviewRequest";
              readonly responseType: "PreviewReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#shutdown}.
             * @param error Error, if any
             * @param [response] ShutdownReply
             */
            type ShutdownCallback = (error: (Error|null), response?: mixmask.v1.ShutdownReply) => void;

            /** Calls Shutdown. */
            type Shutdown = {
              (request: mixmask.v1.IShutdownRequest, callback: mixmask.v1.Worker.ShutdownCallback): void;
              (request: mixmask.v1.IShutdownRequest): Promise<mixmask.v1.ShutdownReply>;
              readonly name: "Shutdown";
              readonly path: "/mixmask.v1.Worker/Shutdown";
              readonly requestType: "ShutdownRequest";
              readonly responseType: "ShutdownReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#beginUpload}.
             * @param error Error, if any
             * @param [response] BeginUploadReply
             */
            type BeginUploadCallback = (error: (Error|null), response?: mixmask.v1.BeginUploadReply) => void;

            /** Calls BeginUpload. */
            type BeginUpload = {
              (request: mixmask.v1.IBeginUploadRequest, callback: mixmask.v1.Worker.BeginUploadCallback): void;
              (request: mixmask.v1.IBeginUploadRequest): Promise<mixmask.v1.BeginUploadReply>;
              readonly name: "BeginUpload";
              readonly path: "/mixmask.v1.Worker/BeginUpload";
              readonly requestType: "BeginUploadRequest";
              readonly responseType: "BeginUploadReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#uploadParts}.
             * @param error Error, if any
             * @param [response] DatasetInfo
             */
            type UploadPartsCallback = (error: (Error|null), response?: mixmask.v1.DatasetInfo) => void;

            /** Calls UploadParts. */
            type UploadParts = {
              (request: mixmask.v1.IUploadPart, callback: mixmask.v1.Worker.UploadPartsCallback): void;
              (request: mixmask.v1.IUploadPart): Promise<mixmask.v1.DatasetInfo>;
              readonly name: "UploadParts";
              readonly path: "/mixmask.v1.Worker/UploadParts";
              readonly requestType: "UploadPart";
              readonly responseType: "DatasetInfo";
              readonly requestStream: true;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#finishUpload}.
             * @param error Error, if any
             * @param [response] DatasetInfo
             */
            type FinishUploadCallback = (error: (Error|null), response?: mixmask.v1.DatasetInfo) => void;

            /** Calls FinishUpload. */
            type FinishUpload = {
              (request: mixmask.v1.IFinishUploadRequest, callback: mixmask.v1.Worker.FinishUploadCallback): void;
              (request: mixmask.v1.IFinishUploadRequest): Promise<mixmask.v1.DatasetInfo>;
              readonly name: "FinishUpload";
              readonly path: "/mixmask.v1.Worker/FinishUpload";
              readonly requestType: "FinishUploadRequest";
              readonly responseType: "DatasetInfo";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#openStream}.
             * @param error Error, if any
             * @param [response] OpenStreamReply
             */
            type OpenStreamCallback = (error: (Error|null), response?: mixmask.v1.OpenStreamReply) => void;

            /** Calls OpenStream. */
            type OpenStream = {
              (request: mixmask.v1.IOpenStreamRequest, callback: mixmask.v1.Worker.OpenStreamCallback): void;
              (request: mixmask.v1.IOpenStreamRequest): Promise<mixmask.v1.OpenStreamReply>;
              readonly name: "OpenStream";
              readonly path: "/mixmask.v1.Worker/OpenStream";
              readonly requestType: "OpenStreamRequest";
              readonly responseType: "OpenStreamReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#pushBatches}.
             * @param error Error, if any
             * @param [response] PushBatchesReply
             */
            type PushBatchesCallback = (error: (Error|null), response?: mixmask.v1.PushBatchesReply) => void;

            /** Calls PushBatches. */
            type PushBatches = {
              (request: mixmask.v1.IStreamBatch, callback: mixmask.v1.Worker.PushBatchesCallback): void;
              (request: mixmask.v1.IStreamBatch): Promise<mixmask.v1.PushBatchesReply>;
              readonly name: "PushBatches";
              readonly path: "/mixmask.v1.Worker/PushBatches";
              readonly requestType: "StreamBatch";
              readonly responseType: "PushBatchesReply";
              readonly requestStream: true;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#closeStream}.
             * @param error Error, if any
             * @param [response] StreamStats
             */
            type CloseStreamCallback = (error: (Error|null), response?: mixmask.v1.StreamStats) => void;

            /** Calls CloseStream. */
            type CloseStream = {
              (request: mixmask.v1.ICloseStreamRequest, callback: mixmask.v1.Worker.CloseStreamCallback): void;
              (request: mixmask.v1.ICloseStreamRequest): Promise<mixmask.v1.StreamStats>;
              readonly name: "CloseStream";
              readonly path: "/mixmask.v1.Worker/CloseStream";
              readonly requestType: "CloseStreamRequest";
              readonly responseType: "StreamStats";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#linearProbe}.
             * @param error Error, if any
             * @param [response] LinearProbeReply
             */
            type LinearProbeCallback = (error: (Error|null), response?: mixmask.v1.LinearProbeReply) => void;

            /** Calls LinearProbe. */
            type LinearProbe = {
              (request: mixmask.v1.ILinearProbeRequest, callback: mixmask.v1.Worker.LinearProbeCallback): void;
              (request: mixmask.v1.ILinearProbeRequest): Promise<mixmask.v1.LinearProbeReply>;
              readonly name: "LinearProbe";
              readonly path: "/mixmask.v1.Worker/LinearProbe";
              readonly requestType: "LinearProbeRequest";
              readonly responseType: "LinearProbeReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#fineTune}.
             * @param error Error, if any
             * @param [response] FineTuneReply
             */
            type FineTuneCallback = (error: (Error|null), response?: mixmask.v1.FineTuneReply) => void;

            /** Calls FineTune. */
            type FineTune = {
              (request: mixmask.v1.IFineTuneRequest, callback: mixmask.v1.Worker.FineTuneCallback): void;
              (request: mixmask.v1.IFineTuneRequest): Promise<mixmask.v1.FineTuneReply>;
              readonly name: "FineTune";
              readonly path: "/mixmask.v1.Worker/FineTune";
              readonly requestType: "FineTuneRequest";
              readonly responseType: "FineTuneReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#describeRank}.
             * @param error Error, if any
             * @param [response] RankInfo
             */
            type DescribeRankCallback = (error: (Error|null), response?: mixmask.v1.RankInfo) => void;

            /** Calls DescribeRank. */
            type DescribeRank = {
              (request: mixmask.v1.IDescribeRankRequest, callback: mixmask.v1.Worker.DescribeRankCallback): void;
              (request: mixmask.v1.IDescribeRankRequest): Promise<mixmask.v1.RankInfo>;
              readonly name: "DescribeRank";
              readonly path: "/mixmask.v1.Worker/DescribeRank";
              readonly requestType: "DescribeRankRequest";
              readonly responseType: "RankInfo";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#createDistributedRun}.
             * @param error Error, if any
             * @param [response] CreateRunReply
             */
            type CreateDistributedRunCallback = (error: (Error|null), response?: mixmask.v1.CreateRunReply) => void;

            /** Calls CreateDistributedRun. */
            type CreateDistributedRun = {
              (request: mixmask.v1.ICreateDistributedRunRequest, callback: mixmask.v1.Worker.CreateDistributedRunCallback): void;
              (request: mixmask.v1.ICreateDistributedRunRequest): Promise<mixmask.v1.CreateRunReply>;
              readonly name: "CreateDistributedRun";
              readonly path: "/mixmask.v1.Worker/CreateDistributedRun";
              readonly requestType: "CreateDistributedRunRequest";
              readonly responseType: "CreateRunReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#trainShard}.
             * @param error Error, if any
             * @param [response] StepResult
             */
            type TrainShardCallback = (error: (Error|null), response?: mixmask.v1.StepResult) => void;

            /** Calls TrainShard. */
            type TrainShard = {
              (request: mixmask.v1.IShardStepPlan, callback: mixmask.v1.Worker.TrainShardCallback): void;
              (request: mixmask.v1.IShardStepPlan): Promise<mixmask.v1.StepResult>;
              readonly name: "TrainShard";
              readonly path: "/mixmask.v1.Worker/TrainShard";
              readonly requestType: "ShardStepPlan";
              readonly responseType: "StepResult";
              readonly requestStream: true;
              readonly responseStream: true;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#export_}.
             * @param error Error, if any
             * @param [response] ExportReply
             */
            type ExportCallback = (error: (Error|null), response?: mixmask.v1.ExportReply) => void;

            /** Calls Export. */
            type Export = {
              (request: mixmask.v1.IExportRequest, callback: mixmask.v1.Worker.ExportCallback): void;
              (request: mixmask.v1.IExportRequest): Promise<mixmask.v1.ExportReply>;
              readonly name: "Export";
              readonly path: "/mixmask.v1.Worker/Export";
              readonly requestType: "ExportRequest";
              readonly responseType: "ExportReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#loadBackbone}.
             * @param error Error, if any
             * @param [response] LoadBackboneReply
             */
            type LoadBackboneCallback = (error: (Error|null), response?: mixmask.v1.LoadBackboneReply) => void;

            /** Calls LoadBackbone. */
            type LoadBackbone = {
              (request: mixmask.v1.ILoadBackboneRequest, callback: mixmask.v1.Worker.LoadBackboneCallback): void;
              (request: mixmask.v1.ILoadBackboneRequest): Promise<mixmask.v1.LoadBackboneReply>;
              readonly name: "LoadBackbone";
              readonly path: "/mixmask.v1.Worker/LoadBackbone";
              readonly requestType: "LoadBackboneRequest";
              readonly responseType: "LoadBackboneReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link mixmask.v1.Worker#embed}.
             * @param error Error, if any
             * @param [response] EmbedReply
             */
            type EmbedCallback = (error: (Error|null), response?: mixmask.v1.EmbedReply) => void;

            /** Calls Embed. */
            type Embed = {
              (request: mixmask.v1.IEmbedRequest, callback: mixmask.v1.Worker.EmbedCallback): void;
              (request: mixmask.v1.IEmbedRequest): Promise<mixmask.v1.EmbedReply>;
              readonly name: "Embed";
              readonly path: "/mixmask.v1.Worker/Embed";
              readonly requestType: "EmbedRequest";
              readonly responseType: "EmbedReply";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
        }

        /** ErrorCode enum. */
        enum ErrorCode {

            /** ERROR_CODE_UNSPECIFIED value */
            ERROR_CODE_UNSPECIFIED = 0,

            /** PROTOCOL_MISMATCH value */
            PROTOCOL_MISMATCH = 1,

            /** INVALID_ARGUMENT value */
            INVALID_ARGUMENT = 2,

            /** DATASET_NOT_FOUND value */
            DATASET_NOT_FOUND = 3,

            /** RUN_NOT_FOUND value */
            RUN_NOT_FOUND = 4,

            /** CHECKPOINT_INVALID value */
            CHECKPOINT_INVALID = 5,

            /** NON_FINITE_LOSS value */
            NON_FINITE_LOSS = 6,

            /** DEVICE_UNAVAILABLE value */
            DEVICE_UNAVAILABLE = 7,

            /** INTERNAL value */
            INTERNAL = 8,

            /** UNAUTHENTICATED value */
            UNAUTHENTICATED = 9,

            /** CHECKPOINT_WRITE_FAILED value */
            CHECKPOINT_WRITE_FAILED = 10,

            /** RANK_FAILED value */
            RANK_FAILED = 80,

            /** MODEL_NOT_FOUND value */
            MODEL_NOT_FOUND = 11,

            /** EXPORT_FAILED value */
            EXPORT_FAILED = 12,

            /** DISK_FULL value */
            DISK_FULL = 13,

            /** INVALID_OPTION value */
            INVALID_OPTION = 100,

            /** INVALID_FILE value */
            INVALID_FILE = 101,

            /** DATASET_MISSING value */
            DATASET_MISSING = 102,

            /** WORKER_START_FAILED value */
            WORKER_START_FAILED = 103,

            /** WORKER_DIED value */
            WORKER_DIED = 104,

            /** WORKER_TIMEOUT value */
            WORKER_TIMEOUT = 105,

            /** WORKER_ERROR value */
            WORKER_ERROR = 106,

            /** PYTHON_MISSING value */
            PYTHON_MISSING = 107,

            /** INTERRUPTED value */
            INTERRUPTED = 108,

            /** CHECKPOINT_FAILED value */
            CHECKPOINT_FAILED = 109,

            /** RANKS_MISMATCH value */
            RANKS_MISMATCH = 110,

            /** INTEROP_TIMEOUT value */
            INTEROP_TIMEOUT = 111,

            /** INTEROP_FAILED value */
            INTEROP_FAILED = 112,

            /** DEPENDENCY_MISSING value */
            DEPENDENCY_MISSING = 113,

            /** LEARNING_COLLAPSED value */
            LEARNING_COLLAPSED = 114,

            /** RUN_DIR_LOCKED value */
            RUN_DIR_LOCKED = 115,

            /** RUN_DIR_NOT_EMPTY value */
            RUN_DIR_NOT_EMPTY = 116
        }

        /**
         * Properties of a HelloRequest.
         * @deprecated Use mixmask.v1.HelloRequest.$Properties instead.
         */
        interface IHelloRequest extends mixmask.v1.HelloRequest.$Properties {
        }

        /** Represents a HelloRequest. */
        class HelloRequest {

            /**
             * Constructs a new HelloRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.HelloRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** HelloRequest protocolVersion. */
            protocolVersion: number;

            /** HelloRequest clientVersion. */
            clientVersion: string;

            /**
             * Creates a new HelloRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns HelloRequest instance
             */
            static create(properties: mixmask.v1.HelloRequest.$Shape): mixmask.v1.HelloRequest & mixmask.v1.HelloRequest.$Shape;
            static create(properties?: mixmask.v1.HelloRequest.$Properties): mixmask.v1.HelloRequest;

            /**
             * Encodes the specified HelloRequest message. Does not implicitly {@link mixmask.v1.HelloRequest.verify|verify} messages.
             * @param message HelloRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.HelloRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a HelloRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.HelloRequest & mixmask.v1.HelloRequest.$Shape} HelloRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.HelloRequest & mixmask.v1.HelloRequest.$Shape;
        }

        namespace HelloRequest {

            /** Properties of a HelloRequest. */
            interface $Properties {

                /** HelloRequest protocolVersion */
                protocolVersion?: (number|null);

                /** HelloRequest clientVersion */
                clientVersion?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a HelloRequest. */
            type $Shape = mixmask.v1.HelloRequest.$Properties;
        }

        /**
         * Properties of a HelloReply.
         * @deprecated Use mixmask.v1.HelloReply.$Properties instead.
         */
        interface IHelloReply extends mixmask.v1.HelloReply.$Properties {
        }

        /** Represents a HelloReply. */
        class HelloReply {

            /**
             * Constructs a new HelloReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.HelloReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** HelloReply protocolVersion. */
            protocolVersion: number;

            /** HelloReply workerVersion. */
            workerVersion: string;

            /** HelloReply pythonVersion. */
            pythonVersion: string;

            /** HelloReply torchVersion. */
            torchVersion: string;

            /** HelloReply device. */
            device: string;

            /** HelloReply deviceName. */
            deviceName: string;

            /** HelloReply torchThreads. */
            torchThreads: number;

            /** HelloReply capabilities. */
            capabilities: string[];

            /** HelloReply pid. */
            pid: number;

            /** HelloReply threadWait. */
            threadWait: string;

            /** HelloReply mallocPolicy. */
            mallocPolicy: string;

            /** HelloReply otherCoresBusy. */
            otherCoresBusy: number;

            /** HelloReply threadsAdvice. */
            threadsAdvice: string;

            /**
             * Creates a new HelloReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns HelloReply instance
             */
            static create(properties: mixmask.v1.HelloReply.$Shape): mixmask.v1.HelloReply & mixmask.v1.HelloReply.$Shape;
            static create(properties?: mixmask.v1.HelloReply.$Properties): mixmask.v1.HelloReply;

            /**
             * Encodes the specified HelloReply message. Does not implicitly {@link mixmask.v1.HelloReply.verify|verify} messages.
             * @param message HelloReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.HelloReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a HelloReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.HelloReply & mixmask.v1.HelloReply.$Shape} HelloReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.HelloReply & mixmask.v1.HelloReply.$Shape;
        }

        namespace HelloReply {

            /** Properties of a HelloReply. */
            interface $Properties {

                /** HelloReply protocolVersion */
                protocolVersion?: (number|null);

                /** HelloReply workerVersion */
                workerVersion?: (string|null);

                /** HelloReply pythonVersion */
                pythonVersion?: (string|null);

                /** HelloReply torchVersion */
                torchVersion?: (string|null);

                /** HelloReply device */
                device?: (string|null);

                /** HelloReply deviceName */
                deviceName?: (string|null);

                /** HelloReply torchThreads */
                torchThreads?: (number|null);

                /** HelloReply capabilities */
                capabilities?: (string[]|null);

                /** HelloReply pid */
                pid?: (number|null);

                /** HelloReply threadWait */
                threadWait?: (string|null);

                /** HelloReply mallocPolicy */
                mallocPolicy?: (string|null);

                /** HelloReply otherCoresBusy */
                otherCoresBusy?: (number|null);

                /** HelloReply threadsAdvice */
                threadsAdvice?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a HelloReply. */
            type $Shape = mixmask.v1.HelloReply.$Properties;
        }

        /**
         * Properties of a DatasetHeader.
         * @deprecated Use mixmask.v1.DatasetHeader.$Properties instead.
         */
        interface IDatasetHeader extends mixmask.v1.DatasetHeader.$Properties {
        }

        /** Represents a DatasetHeader. */
        class DatasetHeader {

            /**
             * Constructs a new DatasetHeader.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.DatasetHeader.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DatasetHeader datasetId. */
            datasetId: string;

            /** DatasetHeader count. */
            count: number;

            /** DatasetHeader height. */
            height: number;

            /** DatasetHeader width. */
            width: number;

            /** DatasetHeader channels. */
            channels: number;

            /** DatasetHeader labels. */
            labels: number[];

            /** DatasetHeader totalBytes. */
            totalBytes: number;

            /**
             * Creates a new DatasetHeader instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DatasetHeader instance
             */
            static create(properties: mixmask.v1.DatasetHeader.$Shape): mixmask.v1.DatasetHeader & mixmask.v1.DatasetHeader.$Shape;
            static create(properties?: mixmask.v1.DatasetHeader.$Properties): mixmask.v1.DatasetHeader;

            /**
             * Encodes the specified DatasetHeader message. Does not implicitly {@link mixmask.v1.DatasetHeader.verify|verify} messages.
             * @param message DatasetHeader message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.DatasetHeader.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DatasetHeader message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.DatasetHeader & mixmask.v1.DatasetHeader.$Shape} DatasetHeader
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.DatasetHeader & mixmask.v1.DatasetHeader.$Shape;
        }

        namespace DatasetHeader {

            /** Properties of a DatasetHeader. */
            interface $Properties {

                /** DatasetHeader datasetId */
                datasetId?: (string|null);

                /** DatasetHeader count */
                count?: (number|null);

                /** DatasetHeader height */
                height?: (number|null);

                /** DatasetHeader width */
                width?: (number|null);

                /** DatasetHeader channels */
                channels?: (number|null);

                /** DatasetHeader labels */
                labels?: (number[]|null);

                /** DatasetHeader totalBytes */
                totalBytes?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DatasetHeader. */
            type $Shape = mixmask.v1.DatasetHeader.$Properties;
        }

        /**
         * Properties of a DatasetInfo.
         * @deprecated Use mixmask.v1.DatasetInfo.$Properties instead.
         */
        interface IDatasetInfo extends mixmask.v1.DatasetInfo.$Properties {
        }

        /** Represents a DatasetInfo. */
        class DatasetInfo {

            /**
             * Constructs a new DatasetInfo.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.DatasetInfo.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DatasetInfo datasetId. */
            datasetId: string;

            /** DatasetInfo count. */
            count: number;

            /** DatasetInfo placement. */
            placement: string;

            /**
             * Creates a new DatasetInfo instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DatasetInfo instance
             */
            static create(properties: mixmask.v1.DatasetInfo.$Shape): mixmask.v1.DatasetInfo & mixmask.v1.DatasetInfo.$Shape;
            static create(properties?: mixmask.v1.DatasetInfo.$Properties): mixmask.v1.DatasetInfo;

            /**
             * Encodes the specified DatasetInfo message. Does not implicitly {@link mixmask.v1.DatasetInfo.verify|verify} messages.
             * @param message DatasetInfo message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.DatasetInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DatasetInfo message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.DatasetInfo & mixmask.v1.DatasetInfo.$Shape} DatasetInfo
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.DatasetInfo & mixmask.v1.DatasetInfo.$Shape;
        }

        namespace DatasetInfo {

            /** Properties of a DatasetInfo. */
            interface $Properties {

                /** DatasetInfo datasetId */
                datasetId?: (string|null);

                /** DatasetInfo count */
                count?: (number|null);

                /** DatasetInfo placement */
                placement?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DatasetInfo. */
            type $Shape = mixmask.v1.DatasetInfo.$Properties;
        }

        /**
         * Properties of a BackboneConfig.
         * @deprecated Use mixmask.v1.BackboneConfig.$Properties instead.
         */
        interface IBackboneConfig extends mixmask.v1.BackboneConfig.$Properties {
        }

        /** Represents a BackboneConfig. */
        class BackboneConfig {

            /**
             * Constructs a new BackboneConfig.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.BackboneConfig.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** BackboneConfig arch. */
            arch: string;

            /** BackboneConfig baseWidth. */
            baseWidth: number;

            /** BackboneConfig cifarStem. */
            cifarStem: boolean;

            /**
             * Creates a new BackboneConfig instance using the specified properties.
             * @param [properties] Properties to set
             * @returns BackboneConfig instance
             */
            static create(properties: mixmask.v1.BackboneConfig.$Shape): mixmask.v1.BackboneConfig & mixmask.v1.BackboneConfig.$Shape;
            static create(properties?: mixmask.v1.BackboneConfig.$Properties): mixmask.v1.BackboneConfig;

            /**
             * Encodes the specified BackboneConfig message. Does not implicitly {@link mixmask.v1.BackboneConfig.verify|verify} messages.
             * @param message BackboneConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.BackboneConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a BackboneConfig message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.BackboneConfig & mixmask.v1.BackboneConfig.$Shape} BackboneConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.BackboneConfig & mixmask.v1.BackboneConfig.$Shape;
        }

        namespace BackboneConfig {

            /** Properties of a BackboneConfig. */
            interface $Properties {

                /** BackboneConfig arch */
                arch?: (string|null);

                /** BackboneConfig baseWidth */
                baseWidth?: (number|null);

                /** BackboneConfig cifarStem */
                cifarStem?: (boolean|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a BackboneConfig. */
            type $Shape = mixmask.v1.BackboneConfig.$Properties;
        }

        /**
         * Properties of a HeadConfig.
         * @deprecated Use mixmask.v1.HeadConfig.$Properties instead.
         */
        interface IHeadConfig extends mixmask.v1.HeadConfig.$Properties {
        }

        /** Represents a HeadConfig. */
        class HeadConfig {

            /**
             * Constructs a new HeadConfig.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.HeadConfig.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** HeadConfig hiddenDim. */
            hiddenDim: number;

            /** HeadConfig outDim. */
            outDim: number;

            /** HeadConfig layers. */
            layers: number;

            /** HeadConfig batchNorm. */
            batchNorm: boolean;

            /**
             * Creates a new HeadConfig instance using the specified properties.
             * @param [properties] Properties to set
             * @returns HeadConfig instance
             */
            static create(properties: mixmask.v1.HeadConfig.$Shape): mixmask.v1.HeadConfig & mixmask.v1.HeadConfig.$Shape;
            static create(properties?: mixmask.v1.HeadConfig.$Properties): mixmask.v1.HeadConfig;

            /**
             * Encodes the specified HeadConfig message. Does not implicitly {@link mixmask.v1.HeadConfig.verify|verify} messages.
             * @param message HeadConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.HeadConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a HeadConfig message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.HeadConfig & mixmask.v1.HeadConfig.$Shape} HeadConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.HeadConfig & mixmask.v1.HeadConfig.$Shape;
        }

        namespace HeadConfig {

            /** Properties of a HeadConfig. */
            interface $Properties {

                /** HeadConfig hiddenDim */
                hiddenDim?: (number|null);

                /** HeadConfig outDim */
                outDim?: (number|null);

                /** HeadConfig layers */
                layers?: (number|null);

                /** HeadConfig batchNorm */
                batchNorm?: (boolean|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a HeadConfig. */
            type $Shape = mixmask.v1.HeadConfig.$Properties;
        }

        /**
         * Properties of a MocoConfig.
         * @deprecated Use mixmask.v1.MocoConfig.$Properties instead.
         */
        interface IMocoConfig extends mixmask.v1.MocoConfig.$Properties {
        }

        /** Represents a MocoConfig. */
        class MocoConfig {

            /**
             * Constructs a new MocoConfig.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.MocoConfig.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** MocoConfig queueSize. */
            queueSize: number;

            /** MocoConfig bnSplits. */
            bnSplits: number;

            /**
             * Creates a new MocoConfig instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MocoConfig instance
             */
            static create(properties: mixmask.v1.MocoConfig.$Shape): mixmask.v1.MocoConfig & mixmask.v1.MocoConfig.$Shape;
            static create(properties?: mixmask.v1.MocoConfig.$Properties): mixmask.v1.MocoConfig;

            /**
             * Encodes the specified MocoConfig message. Does not implicitly {@link mixmask.v1.MocoConfig.verify|verify} messages.
             * @param message MocoConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.MocoConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MocoConfig message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.MocoConfig & mixmask.v1.MocoConfig.$Shape} MocoConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.MocoConfig & mixmask.v1.MocoConfig.$Shape;
        }

        namespace MocoConfig {

            /** Properties of a MocoConfig. */
            interface $Properties {

                /** MocoConfig queueSize */
                queueSize?: (number|null);

                /** MocoConfig bnSplits */
                bnSplits?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a MocoConfig. */
            type $Shape = mixmask.v1.MocoConfig.$Properties;
        }

        /**
         * Properties of an OptimizerConfig.
         * @deprecated Use mixmask.v1.OptimizerConfig.$Properties instead.
         */
        interface IOptimizerConfig extends mixmask.v1.OptimizerConfig.$Properties {
        }

        /** Represents an OptimizerConfig. */
        class OptimizerConfig {

            /**
             * Constructs a new OptimizerConfig.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.OptimizerConfig.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** OptimizerConfig momentum. */
            momentum: number;

            /** OptimizerConfig weightDecay. */
            weightDecay: number;

            /**
             * Creates a new OptimizerConfig instance using the specified properties.
             * @param [properties] Properties to set
             * @returns OptimizerConfig instance
             */
            static create(properties: mixmask.v1.OptimizerConfig.$Shape): mixmask.v1.OptimizerConfig & mixmask.v1.OptimizerConfig.$Shape;
            static create(properties?: mixmask.v1.OptimizerConfig.$Properties): mixmask.v1.OptimizerConfig;

            /**
             * Encodes the specified OptimizerConfig message. Does not implicitly {@link mixmask.v1.OptimizerConfig.verify|verify} messages.
             * @param message OptimizerConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.OptimizerConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an OptimizerConfig message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.OptimizerConfig & mixmask.v1.OptimizerConfig.$Shape} OptimizerConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.OptimizerConfig & mixmask.v1.OptimizerConfig.$Shape;
        }

        namespace OptimizerConfig {

            /** Properties of an OptimizerConfig. */
            interface $Properties {

                /** OptimizerConfig momentum */
                momentum?: (number|null);

                /** OptimizerConfig weightDecay */
                weightDecay?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an OptimizerConfig. */
            type $Shape = mixmask.v1.OptimizerConfig.$Properties;
        }

        /**
         * Properties of a CreateRunRequest.
         * @deprecated Use mixmask.v1.CreateRunRequest.$Properties instead.
         */
        interface ICreateRunRequest extends mixmask.v1.CreateRunRequest.$Properties {
        }

        /** Represents a CreateRunRequest. */
        class CreateRunRequest {

            /**
             * Constructs a new CreateRunRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.CreateRunRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CreateRunRequest runId. */
            runId: string;

            /** CreateRunRequest seed. */
            seed: number;

            /** CreateRunRequest backbone. */
            backbone?: (mixmask.v1.BackboneConfig.$Properties|null);

            /** CreateRunRequest head. */
            head?: (mixmask.v1.HeadConfig.$Properties|null);

            /** CreateRunRequest moco. */
            moco?: (mixmask.v1.MocoConfig.$Properties|null);

            /** CreateRunRequest optimizer. */
            optimizer?: (mixmask.v1.OptimizerConfig.$Properties|null);

            /** CreateRunRequest datasetId. */
            datasetId: string;

            /** CreateRunRequest imageSize. */
            imageSize: number;

            /** CreateRunRequest mean. */
            mean: number[];

            /** CreateRunRequest std. */
            std: number[];

            /** CreateRunRequest precision. */
            precision: string;

            /** CreateRunRequest channelsLast. */
            channelsLast: boolean;

            /** CreateRunRequest predictor. */
            predictor?: (mixmask.v1.HeadConfig.$Properties|null);

            /** CreateRunRequest momentumEncoder. */
            momentumEncoder: boolean;

            /** CreateRunRequest compile. */
            compile: string;

            /**
             * Creates a new CreateRunRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CreateRunRequest instance
             */
            static create(properties: mixmask.v1.CreateRunRequest.$Shape): mixmask.v1.CreateRunRequest & mixmask.v1.CreateRunRequest.$Shape;
            static create(properties?: mixmask.v1.CreateRunRequest.$Properties): mixmask.v1.CreateRunRequest;

            /**
             * Encodes the specified CreateRunRequest message. Does not implicitly {@link mixmask.v1.CreateRunRequest.verify|verify} messages.
             * @param message CreateRunRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.CreateRunRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CreateRunRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.CreateRunRequest & mixmask.v1.CreateRunRequest.$Shape} CreateRunRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.CreateRunRequest & mixmask.v1.CreateRunRequest.$Shape;
        }

        namespace CreateRunRequest {

            /** Properties of a CreateRunRequest. */
            interface $Properties {

                /** CreateRunRequest runId */
                runId?: (string|null);

                /** CreateRunRequest seed */
                seed?: (number|null);

                /** CreateRunRequest backbone */
                backbone?: (mixmask.v1.BackboneConfig.$Properties|null);

                /** CreateRunRequest head */
                head?: (mixmask.v1.HeadConfig.$Properties|null);

                /** CreateRunRequest moco */
                moco?: (mixmask.v1.MocoConfig.$Properties|null);

                /** CreateRunRequest optimizer */
                optimizer?: (mixmask.v1.OptimizerConfig.$Properties|null);

                /** CreateRunRequest datasetId */
                datasetId?: (string|null);

                /** CreateRunRequest imageSize */
                imageSize?: (number|null);

                /** CreateRunRequest mean */
                mean?: (number[]|null);

                /** CreateRunRequest std */
                std?: (number[]|null);

                /** CreateRunRequest precision */
                precision?: (string|null);

                /** CreateRunRequest channelsLast */
                channelsLast?: (boolean|null);

                /** CreateRunRequest predictor */
                predictor?: (mixmask.v1.HeadConfig.$Properties|null);

                /** CreateRunRequest momentumEncoder */
                momentumEncoder?: (boolean|null);

                /** CreateRunRequest compile */
                compile?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CreateRunRequest. */
            type $Shape = mixmask.v1.CreateRunRequest.$Properties;
        }

        /**
         * Properties of a CreateRunReply.
         * @deprecated Use mixmask.v1.CreateRunReply.$Properties instead.
         */
        interface ICreateRunReply extends mixmask.v1.CreateRunReply.$Properties {
        }

        /** Represents a CreateRunReply. */
        class CreateRunReply {

            /**
             * Constructs a new CreateRunReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.CreateRunReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CreateRunReply runId. */
            runId: string;

            /** CreateRunReply parameters. */
            parameters: number;

            /** CreateRunReply featureDim. */
            featureDim: number;

            /**
             * Creates a new CreateRunReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CreateRunReply instance
             */
            static create(properties: mixmask.v1.CreateRunReply.$Shape): mixmask.v1.CreateRunReply & mixmask.v1.CreateRunReply.$Shape;
            static create(properties?: mixmask.v1.CreateRunReply.$Properties): mixmask.v1.CreateRunReply;

            /**
             * Encodes the specified CreateRunReply message. Does not implicitly {@link mixmask.v1.CreateRunReply.verify|verify} messages.
             * @param message CreateRunReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.CreateRunReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CreateRunReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.CreateRunReply & mixmask.v1.CreateRunReply.$Shape} CreateRunReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.CreateRunReply & mixmask.v1.CreateRunReply.$Shape;
        }

        namespace CreateRunReply {

            /** Properties of a CreateRunReply. */
            interface $Properties {

                /** CreateRunReply runId */
                runId?: (string|null);

                /** CreateRunReply parameters */
                parameters?: (number|null);

                /** CreateRunReply featureDim */
                featureDim?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CreateRunReply. */
            type $Shape = mixmask.v1.CreateRunReply.$Properties;
        }

        /**
         * Properties of a ViewPlan.
         * @deprecated Use mixmask.v1.ViewPlan.$Properties instead.
         */
        interface IViewPlan extends mixmask.v1.ViewPlan.$Properties {
        }

        /** Represents a ViewPlan. */
        class ViewPlan {

            /**
             * Constructs a new ViewPlan.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.ViewPlan.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ViewPlan crop. */
            crop: number[];

            /** ViewPlan flip. */
            flip: Uint8Array;

            /** ViewPlan jitter. */
            jitter: number[];

            /** ViewPlan jitterOrder. */
            jitterOrder: Uint8Array;

            /** ViewPlan grayscale. */
            grayscale: Uint8Array;

            /** ViewPlan blurSigma. */
            blurSigma: number[];

            /** ViewPlan blurKernelSize. */
            blurKernelSize: number;

            /**
             * Creates a new ViewPlan instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ViewPlan instance
             */
            static create(properties: mixmask.v1.ViewPlan.$Shape): mixmask.v1.ViewPlan & mixmask.v1.ViewPlan.$Shape;
            static create(properties?: mixmask.v1.ViewPlan.$Properties): mixmask.v1.ViewPlan;

            /**
             * Encodes the specified ViewPlan message. Does not implicitly {@link mixmask.v1.ViewPlan.verify|verify} messages.
             * @param message ViewPlan message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.ViewPlan.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ViewPlan message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.ViewPlan & mixmask.v1.ViewPlan.$Shape} ViewPlan
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.ViewPlan & mixmask.v1.ViewPlan.$Shape;
        }

        namespace ViewPlan {

            /** Properties of a ViewPlan. */
            interface $Properties {

                /** ViewPlan crop */
                crop?: (number[]|null);

                /** ViewPlan flip */
                flip?: (Uint8Array|null);

                /** ViewPlan jitter */
                jitter?: (number[]|null);

                /** ViewPlan jitterOrder */
                jitterOrder?: (Uint8Array|null);

                /** ViewPlan grayscale */
                grayscale?: (Uint8Array|null);

                /** ViewPlan blurSigma */
                blurSigma?: (number[]|null);

                /** ViewPlan blurKernelSize */
                blurKernelSize?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ViewPlan. */
            type $Shape = mixmask.v1.ViewPlan.$Properties;
        }

        /** MaskFill enum. */
        enum MaskFill {

            /** MASK_FILL_UNSPECIFIED value */
            MASK_FILL_UNSPECIFIED = 0,

            /** PARTNER value */
            PARTNER = 1,

            /** ZERO value */
            ZERO = 2,

            /** MEAN value */
            MEAN = 3,

            /** NOISE value */
            NOISE = 4
        }

        /**
         * Properties of a MaskPlan.
         * @deprecated Use mixmask.v1.MaskPlan.$Properties instead.
         */
        interface IMaskPlan extends mixmask.v1.MaskPlan.$Properties {
        }

        /** Represents a MaskPlan. */
        class MaskPlan {

            /**
             * Constructs a new MaskPlan.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.MaskPlan.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** MaskPlan grid. */
            grid: number;

            /** MaskPlan cells. */
            cells: Uint8Array;

            /** MaskPlan fill. */
            fill: mixmask.v1.MaskFill;

            /** MaskPlan partner. */
            partner: number[];

            /** MaskPlan keptFraction. */
            keptFraction: number[];

            /** MaskPlan noiseSeed. */
            noiseSeed: number;

            /**
             * Creates a new MaskPlan instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MaskPlan instance
             */
            static create(properties: mixmask.v1.MaskPlan.$Shape): mixmask.v1.MaskPlan & mixmask.v1.MaskPlan.$Shape;
            static create(properties?: mixmask.v1.MaskPlan.$Properties): mixmask.v1.MaskPlan;

            /**
             * Encodes the specified MaskPlan message. Does not implicitly {@link mixmask.v1.MaskPlan.verify|verify} messages.
             * @param message MaskPlan message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.MaskPlan.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MaskPlan message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.MaskPlan & mixmask.v1.MaskPlan.$Shape} MaskPlan
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.MaskPlan & mixmask.v1.MaskPlan.$Shape;
        }

        namespace MaskPlan {

            /** Properties of a MaskPlan. */
            interface $Properties {

                /** MaskPlan grid */
                grid?: (number|null);

                /** MaskPlan cells */
                cells?: (Uint8Array|null);

                /** MaskPlan fill */
                fill?: (mixmask.v1.MaskFill|null);

                /** MaskPlan partner */
                partner?: (number[]|null);

                /** MaskPlan keptFraction */
                keptFraction?: (number[]|null);

                /** MaskPlan noiseSeed */
                noiseSeed?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a MaskPlan. */
            type $Shape = mixmask.v1.MaskPlan.$Properties;
        }

        /**
         * Properties of an UnmixPlan.
         * @deprecated Use mixmask.v1.UnmixPlan.$Properties instead.
         */
        interface IUnmixPlan extends mixmask.v1.UnmixPlan.$Properties {
        }

        /** Represents an UnmixPlan. */
        class UnmixPlan {

            /**
             * Constructs a new UnmixPlan.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.UnmixPlan.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** UnmixPlan cutmix. */
            cutmix: boolean;

            /** UnmixPlan lambda. */
            lambda: number;

            /** UnmixPlan box. */
            box: number[];

            /** UnmixPlan partner. */
            partner: number[];

            /**
             * Creates a new UnmixPlan instance using the specified properties.
             * @param [properties] Properties to set
             * @returns UnmixPlan instance
             */
            static create(properties: mixmask.v1.UnmixPlan.$Shape): mixmask.v1.UnmixPlan & mixmask.v1.UnmixPlan.$Shape;
            static create(properties?: mixmask.v1.UnmixPlan.$Properties): mixmask.v1.UnmixPlan;

            /**
             * Encodes the specified UnmixPlan message. Does not implicitly {@link mixmask.v1.UnmixPlan.verify|verify} messages.
             * @param message UnmixPlan message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.UnmixPlan.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an UnmixPlan message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.UnmixPlan & mixmask.v1.UnmixPlan.$Shape} UnmixPlan
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.UnmixPlan & mixmask.v1.UnmixPlan.$Shape;
        }

        namespace UnmixPlan {

            /** Properties of an UnmixPlan. */
            interface $Properties {

                /** UnmixPlan cutmix */
                cutmix?: (boolean|null);

                /** UnmixPlan lambda */
                lambda?: (number|null);

                /** UnmixPlan box */
                box?: (number[]|null);

                /** UnmixPlan partner */
                partner?: (number[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an UnmixPlan. */
            type $Shape = mixmask.v1.UnmixPlan.$Properties;
        }

        /** Input enum. */
        enum Input {

            /** INPUT_UNSPECIFIED value */
            INPUT_UNSPECIFIED = 0,

            /** VIEW_0 value */
            VIEW_0 = 1,

            /** VIEW_1 value */
            VIEW_1 = 2,

            /** MASKED_0 value */
            MASKED_0 = 3,

            /** MASKED_1 value */
            MASKED_1 = 4,

            /** COMPLEMENT_0 value */
            COMPLEMENT_0 = 5,

            /** COMPLEMENT_1 value */
            COMPLEMENT_1 = 6,

            /** UNMIX_0 value */
            UNMIX_0 = 7,

            /** UNMIX_1 value */
            UNMIX_1 = 8
        }

        /** Encoder enum. */
        enum Encoder {

            /** ENCODER_UNSPECIFIED value */
            ENCODER_UNSPECIFIED = 0,

            /** ONLINE value */
            ONLINE = 1,

            /** ONLINE_PREDICTOR value */
            ONLINE_PREDICTOR = 2,

            /** ONLINE_DETACHED value */
            ONLINE_DETACHED = 3,

            /** MOMENTUM value */
            MOMENTUM = 4
        }

        /**
         * Properties of a BranchRef.
         * @deprecated Use mixmask.v1.BranchRef.$Properties instead.
         */
        interface IBranchRef extends mixmask.v1.BranchRef.$Properties {
        }

        /** Represents a BranchRef. */
        class BranchRef {

            /**
             * Constructs a new BranchRef.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.BranchRef.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** BranchRef input. */
            input: mixmask.v1.Input;

            /** BranchRef encoder. */
            encoder: mixmask.v1.Encoder;

            /**
             * Creates a new BranchRef instance using the specified properties.
             * @param [properties] Properties to set
             * @returns BranchRef instance
             */
            static create(properties: mixmask.v1.BranchRef.$Shape): mixmask.v1.BranchRef & mixmask.v1.BranchRef.$Shape;
            static create(properties?: mixmask.v1.BranchRef.$Properties): mixmask.v1.BranchRef;

            /**
             * Encodes the specified BranchRef message. Does not implicitly {@link mixmask.v1.BranchRef.verify|verify} messages.
             * @param message BranchRef message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.BranchRef.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a BranchRef message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.BranchRef & mixmask.v1.BranchRef.$Shape} BranchRef
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.BranchRef & mixmask.v1.BranchRef.$Shape;
        }

        namespace BranchRef {

            /** Properties of a BranchRef. */
            interface $Properties {

                /** BranchRef input */
                input?: (mixmask.v1.Input|null);

                /** BranchRef encoder */
                encoder?: (mixmask.v1.Encoder|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a BranchRef. */
            type $Shape = mixmask.v1.BranchRef.$Properties;
        }

        /** TermKind enum. */
        enum TermKind {

            /** TERM_KIND_UNSPECIFIED value */
            TERM_KIND_UNSPECIFIED = 0,

            /** INFO_NCE_QUEUE value */
            INFO_NCE_QUEUE = 1,

            /** NT_XENT value */
            NT_XENT = 2,

            /** NEGATIVE_COSINE value */
            NEGATIVE_COSINE = 3,

            /** NORMALIZED_MSE value */
            NORMALIZED_MSE = 4
        }

        /**
         * Properties of a LossTerm.
         * @deprecated Use mixmask.v1.LossTerm.$Properties instead.
         */
        interface ILossTerm extends mixmask.v1.LossTerm.$Properties {
        }

        /** Represents a LossTerm. */
        class LossTerm {

            /**
             * Constructs a new LossTerm.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.LossTerm.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** LossTerm kind. */
            kind: mixmask.v1.TermKind;

            /** LossTerm anchor. */
            anchor?: (mixmask.v1.BranchRef.$Properties|null);

            /** LossTerm anchorOrder. */
            anchorOrder: number[];

            /** LossTerm positive. */
            positive?: (mixmask.v1.BranchRef.$Properties|null);

            /** LossTerm weight. */
            weight: number;

            /** LossTerm temperature. */
            temperature: number;

            /** LossTerm sampleWeights. */
            sampleWeights: number[];

            /**
             * Creates a new LossTerm instance using the specified properties.
             * @param [properties] Properties to set
             * @returns LossTerm instance
             */
            static create(properties: mixmask.v1.LossTerm.$Shape): mixmask.v1.LossTerm & mixmask.v1.LossTerm.$Shape;
            static create(properties?: mixmask.v1.LossTerm.$Properties): mixmask.v1.LossTerm;

            /**
             * Encodes the specified LossTerm message. Does not implicitly {@link mixmask.v1.LossTerm.verify|verify} messages.
             * @param message LossTerm message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.LossTerm.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a LossTerm message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.LossTerm & mixmask.v1.LossTerm.$Shape} LossTerm
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.LossTerm & mixmask.v1.LossTerm.$Shape;
        }

        namespace LossTerm {

            /** Properties of a LossTerm. */
            interface $Properties {

                /** LossTerm kind */
                kind?: (mixmask.v1.TermKind|null);

                /** LossTerm anchor */
                anchor?: (mixmask.v1.BranchRef.$Properties|null);

                /** LossTerm anchorOrder */
                anchorOrder?: (number[]|null);

                /** LossTerm positive */
                positive?: (mixmask.v1.BranchRef.$Properties|null);

                /** LossTerm weight */
                weight?: (number|null);

                /** LossTerm temperature */
                temperature?: (number|null);

                /** LossTerm sampleWeights */
                sampleWeights?: (number[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a LossTerm. */
            type $Shape = mixmask.v1.LossTerm.$Properties;
        }

        /**
         * Properties of a StepPlan.
         * @deprecated Use mixmask.v1.StepPlan.$Properties instead.
         */
        interface IStepPlan extends mixmask.v1.StepPlan.$Properties {
        }

        /** Represents a StepPlan. */
        class StepPlan {

            /**
             * Constructs a new StepPlan.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.StepPlan.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StepPlan step. */
            step: number;

            /** StepPlan indices. */
            indices: number[];

            /** StepPlan views. */
            views: mixmask.v1.ViewPlan.$Properties[];

            /** StepPlan mask. */
            mask?: (mixmask.v1.MaskPlan.$Properties|null);

            /** StepPlan terms. */
            terms: mixmask.v1.LossTerm.$Properties[];

            /** StepPlan lr. */
            lr: number;

            /** StepPlan keyMomentum. */
            keyMomentum: number;

            /** StepPlan keyShuffle. */
            keyShuffle: number[];

            /** StepPlan enqueueTerm. */
            enqueueTerm: number;

            /** StepPlan unmix. */
            unmix?: (mixmask.v1.UnmixPlan.$Properties|null);

            /**
             * Creates a new StepPlan instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StepPlan instance
             */
            static create(properties: mixmask.v1.StepPlan.$Shape): mixmask.v1.StepPlan & mixmask.v1.StepPlan.$Shape;
            static create(properties?: mixmask.v1.StepPlan.$Properties): mixmask.v1.StepPlan;

            /**
             * Encodes the specified StepPlan message. Does not implicitly {@link mixmask.v1.StepPlan.verify|verify} messages.
             * @param message StepPlan message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.StepPlan.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StepPlan message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.StepPlan & mixmask.v1.StepPlan.$Shape} StepPlan
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.StepPlan & mixmask.v1.StepPlan.$Shape;
        }

        namespace StepPlan {

            /** Properties of a StepPlan. */
            interface $Properties {

                /** StepPlan step */
                step?: (number|null);

                /** StepPlan indices */
                indices?: (number[]|null);

                /** StepPlan views */
                views?: (mixmask.v1.ViewPlan.$Properties[]|null);

                /** StepPlan mask */
                mask?: (mixmask.v1.MaskPlan.$Properties|null);

                /** StepPlan terms */
                terms?: (mixmask.v1.LossTerm.$Properties[]|null);

                /** StepPlan lr */
                lr?: (number|null);

                /** StepPlan keyMomentum */
                keyMomentum?: (number|null);

                /** StepPlan keyShuffle */
                keyShuffle?: (number[]|null);

                /** StepPlan enqueueTerm */
                enqueueTerm?: (number|null);

                /** StepPlan unmix */
                unmix?: (mixmask.v1.UnmixPlan.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a StepPlan. */
            type $Shape = mixmask.v1.StepPlan.$Properties;
        }

        /**
         * Properties of a StepResult.
         * @deprecated Use mixmask.v1.StepResult.$Properties instead.
         */
        interface IStepResult extends mixmask.v1.StepResult.$Properties {
        }

        /** Represents a StepResult. */
        class StepResult {

            /**
             * Constructs a new StepResult.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.StepResult.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StepResult step. */
            step: number;

            /** StepResult loss. */
            loss: number;

            /** StepResult termLosses. */
            termLosses: number[];

            /** StepResult positiveTop1. */
            positiveTop1: number;

            /** StepResult workerMs. */
            workerMs: number;

            /** StepResult embeddingStd. */
            embeddingStd: number;

            /**
             * Creates a new StepResult instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StepResult instance
             */
            static create(properties: mixmask.v1.StepResult.$Shape): mixmask.v1.StepResult & mixmask.v1.StepResult.$Shape;
            static create(properties?: mixmask.v1.StepResult.$Properties): mixmask.v1.StepResult;

            /**
             * Encodes the specified StepResult message. Does not implicitly {@link mixmask.v1.StepResult.verify|verify} messages.
             * @param message StepResult message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.StepResult.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StepResult message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.StepResult & mixmask.v1.StepResult.$Shape} StepResult
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.StepResult & mixmask.v1.StepResult.$Shape;
        }

        namespace StepResult {

            /** Properties of a StepResult. */
            interface $Properties {

                /** StepResult step */
                step?: (number|null);

                /** StepResult loss */
                loss?: (number|null);

                /** StepResult termLosses */
                termLosses?: (number[]|null);

                /** StepResult positiveTop1 */
                positiveTop1?: (number|null);

                /** StepResult workerMs */
                workerMs?: (number|null);

                /** StepResult embeddingStd */
                embeddingStd?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a StepResult. */
            type $Shape = mixmask.v1.StepResult.$Properties;
        }

        /**
         * Properties of a PreviewRequest.
         * @deprecated Use mixmask.v1.PreviewRequest.$Properties instead.
         */
        interface IPreviewRequest extends mixmask.v1.PreviewRequest.$Properties {
        }

        /** Represents a PreviewRequest. */
        class PreviewRequest {

            /**
             * Constructs a new PreviewRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.PreviewRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PreviewRequest runId. */
            runId: string;

            /** PreviewRequest plan. */
            plan?: (mixmask.v1.StepPlan.$Properties|null);

            /** PreviewRequest maxSamples. */
            maxSamples: number;

            /**
             * Creates a new PreviewRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PreviewRequest instance
             */
            static create(properties: mixmask.v1.PreviewRequest.$Shape): mixmask.v1.PreviewRequest & mixmask.v1.PreviewRequest.$Shape;
            static create(properties?: mixmask.v1.PreviewRequest.$Properties): mixmask.v1.PreviewRequest;

            /**
             * Encodes the specified PreviewRequest message. Does not implicitly {@link mixmask.v1.PreviewRequest.verify|verify} messages.
             * @param message PreviewRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.PreviewRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PreviewRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.PreviewRequest & mixmask.v1.PreviewRequest.$Shape} PreviewRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.PreviewRequest & mixmask.v1.PreviewRequest.$Shape;
        }

        namespace PreviewRequest {

            /** Properties of a PreviewRequest. */
            interface $Properties {

                /** PreviewRequest runId */
                runId?: (string|null);

                /** PreviewRequest plan */
                plan?: (mixmask.v1.StepPlan.$Properties|null);

                /** PreviewRequest maxSamples */
                maxSamples?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PreviewRequest. */
            type $Shape = mixmask.v1.PreviewRequest.$Properties;
        }

        /**
         * Properties of a PreviewImages.
         * @deprecated Use mixmask.v1.PreviewImages.$Properties instead.
         */
        interface IPreviewImages extends mixmask.v1.PreviewImages.$Properties {
        }

        /** Represents a PreviewImages. */
        class PreviewImages {

            /**
             * Constructs a new PreviewImages.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.PreviewImages.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PreviewImages input. */
            input: mixmask.v1.Input;

            /** PreviewImages pixels. */
            pixels: Uint8Array;

            /**
             * Creates a new PreviewImages instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PreviewImages instance
             */
            static create(properties: mixmask.v1.PreviewImages.$Shape): mixmask.v1.PreviewImages & mixmask.v1.PreviewImages.$Shape;
            static create(properties?: mixmask.v1.PreviewImages.$Properties): mixmask.v1.PreviewImages;

            /**
             * Encodes the specified PreviewImages message. Does not implicitly {@link mixmask.v1.PreviewImages.verify|verify} messages.
             * @param message PreviewImages message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.PreviewImages.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PreviewImages message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.PreviewImages & mixmask.v1.PreviewImages.$Shape} PreviewImages
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.PreviewImages & mixmask.v1.PreviewImages.$Shape;
        }

        namespace PreviewImages {

            /** Properties of a PreviewImages. */
            interface $Properties {

                /** PreviewImages input */
                input?: (mixmask.v1.Input|null);

                /** PreviewImages pixels */
                pixels?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PreviewImages. */
            type $Shape = mixmask.v1.PreviewImages.$Properties;
        }

        /**
         * Properties of a PreviewReply.
         * @deprecated Use mixmask.v1.PreviewReply.$Properties instead.
         */
        interface IPreviewReply extends mixmask.v1.PreviewReply.$Properties {
        }

        /** Represents a PreviewReply. */
        class PreviewReply {

            /**
             * Constructs a new PreviewReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.PreviewReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PreviewReply samples. */
            samples: number;

            /** PreviewReply imageSize. */
            imageSize: number;

            /** PreviewReply inputs. */
            inputs: mixmask.v1.PreviewImages.$Properties[];

            /** PreviewReply maskPixels. */
            maskPixels: Uint8Array;

            /**
             * Creates a new PreviewReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PreviewReply instance
             */
            static create(properties: mixmask.v1.PreviewReply.$Shape): mixmask.v1.PreviewReply & mixmask.v1.PreviewReply.$Shape;
            static create(properties?: mixmask.v1.PreviewReply.$Properties): mixmask.v1.PreviewReply;

            /**
             * Encodes the specified PreviewReply message. Does not implicitly {@link mixmask.v1.PreviewReply.verify|verify} messages.
             * @param message PreviewReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.PreviewReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PreviewReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.PreviewReply & mixmask.v1.PreviewReply.$Shape} PreviewReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.PreviewReply & mixmask.v1.PreviewReply.$Shape;
        }

        namespace PreviewReply {

            /** Properties of a PreviewReply. */
            interface $Properties {

                /** PreviewReply samples */
                samples?: (number|null);

                /** PreviewReply imageSize */
                imageSize?: (number|null);

                /** PreviewReply inputs */
                inputs?: (mixmask.v1.PreviewImages.$Properties[]|null);

                /** PreviewReply maskPixels */
                maskPixels?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PreviewReply. */
            type $Shape = mixmask.v1.PreviewReply.$Properties;
        }

        /** FeatureSource enum. */
        enum FeatureSource {

            /** BACKBONE value */
            BACKBONE = 0,

            /** CENTRED_PIXELS value */
            CENTRED_PIXELS = 1
        }

        /**
         * Properties of a KnnRequest.
         * @deprecated Use mixmask.v1.KnnRequest.$Properties instead.
         */
        interface IKnnRequest extends mixmask.v1.KnnRequest.$Properties {
        }

        /** Represents a KnnRequest. */
        class KnnRequest {

            /**
             * Constructs a new KnnRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.KnnRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** KnnRequest runId. */
            runId: string;

            /** KnnRequest trainDatasetId. */
            trainDatasetId: string;

            /** KnnRequest testDatasetId. */
            testDatasetId: string;

            /** KnnRequest k. */
            k: number;

            /** KnnRequest temperature. */
            temperature: number;

            /** KnnRequest batchSize. */
            batchSize: number;

            /** KnnRequest trainIndices. */
            trainIndices: number[];

            /** KnnRequest testIndices. */
            testIndices: number[];

            /** KnnRequest features. */
            features: mixmask.v1.FeatureSource;

            /**
             * Creates a new KnnRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns KnnRequest instance
             */
            static create(properties: mixmask.v1.KnnRequest.$Shape): mixmask.v1.KnnRequest & mixmask.v1.KnnRequest.$Shape;
            static create(properties?: mixmask.v1.KnnRequest.$Properties): mixmask.v1.KnnRequest;

            /**
             * Encodes the specified KnnRequest message. Does not implicitly {@link mixmask.v1.KnnRequest.verify|verify} messages.
             * @param message KnnRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.KnnRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a KnnRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.KnnRequest & mixmask.v1.KnnRequest.$Shape} KnnRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.KnnRequest & mixmask.v1.KnnRequest.$Shape;
        }

        namespace KnnRequest {

            /** Properties of a KnnRequest. */
            interface $Properties {

                /** KnnRequest runId */
                runId?: (string|null);

                /** KnnRequest trainDatasetId */
                trainDatasetId?: (string|null);

                /** KnnRequest testDatasetId */
                testDatasetId?: (string|null);

                /** KnnRequest k */
                k?: (number|null);

                /** KnnRequest temperature */
                temperature?: (number|null);

                /** KnnRequest batchSize */
                batchSize?: (number|null);

                /** KnnRequest trainIndices */
                trainIndices?: (number[]|null);

                /** KnnRequest testIndices */
                testIndices?: (number[]|null);

                /** KnnRequest features */
                features?: (mixmask.v1.FeatureSource|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a KnnRequest. */
            type $Shape = mixmask.v1.KnnRequest.$Properties;
        }

        /**
         * Properties of a KnnReply.
         * @deprecated Use mixmask.v1.KnnReply.$Properties instead.
         */
        interface IKnnReply extends mixmask.v1.KnnReply.$Properties {
        }

        /** Represents a KnnReply. */
        class KnnReply {

            /**
             * Constructs a new KnnReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.KnnReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** KnnReply top1. */
            top1: number;

            /** KnnReply top5. */
            top5: number;

            /** KnnReply trainCount. */
            trainCount: number;

            /** KnnReply testCount. */
            testCount: number;

            /** KnnReply seconds. */
            seconds: number;

            /**
             * Creates a new KnnReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns KnnReply instance
             */
            static create(properties: mixmask.v1.KnnReply.$Shape): mixmask.v1.KnnReply & mixmask.v1.KnnReply.$Shape;
            static create(properties?: mixmask.v1.KnnReply.$Properties): mixmask.v1.KnnReply;

            /**
             * Encodes the specified KnnReply message. Does not implicitly {@link mixmask.v1.KnnReply.verify|verify} messages.
             * @param message KnnReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.KnnReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a KnnReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.KnnReply & mixmask.v1.KnnReply.$Shape} KnnReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.KnnReply & mixmask.v1.KnnReply.$Shape;
        }

        namespace KnnReply {

            /** Properties of a KnnReply. */
            interface $Properties {

                /** KnnReply top1 */
                top1?: (number|null);

                /** KnnReply top5 */
                top5?: (number|null);

                /** KnnReply trainCount */
                trainCount?: (number|null);

                /** KnnReply testCount */
                testCount?: (number|null);

                /** KnnReply seconds */
                seconds?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a KnnReply. */
            type $Shape = mixmask.v1.KnnReply.$Properties;
        }

        /**
         * Properties of a SaveCheckpointRequest.
         * @deprecated Use mixmask.v1.SaveCheckpointRequest.$Properties instead.
         */
        interface ISaveCheckpointRequest extends mixmask.v1.SaveCheckpointRequest.$Properties {
        }

        /** Represents a SaveCheckpointRequest. */
        class SaveCheckpointRequest {

            /**
             * Constructs a new SaveCheckpointRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.SaveCheckpointRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SaveCheckpointRequest runId. */
            runId: string;

            /** SaveCheckpointRequest path. */
            path: string;

            /** SaveCheckpointRequest step. */
            step: number;

            /**
             * Creates a new SaveCheckpointRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SaveCheckpointRequest instance
             */
            static create(properties: mixmask.v1.SaveCheckpointRequest.$Shape): mixmask.v1.SaveCheckpointRequest & mixmask.v1.SaveCheckpointRequest.$Shape;
            static create(properties?: mixmask.v1.SaveCheckpointRequest.$Properties): mixmask.v1.SaveCheckpointRequest;

            /**
             * Encodes the specified SaveCheckpointRequest message. Does not implicitly {@link mixmask.v1.SaveCheckpointRequest.verify|verify} messages.
             * @param message SaveCheckpointRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.SaveCheckpointRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SaveCheckpointRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.SaveCheckpointRequest & mixmask.v1.SaveCheckpointRequest.$Shape} SaveCheckpointRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.SaveCheckpointRequest & mixmask.v1.SaveCheckpointRequest.$Shape;
        }

        namespace SaveCheckpointRequest {

            /** Properties of a SaveCheckpointRequest. */
            interface $Properties {

                /** SaveCheckpointRequest runId */
                runId?: (string|null);

                /** SaveCheckpointRequest path */
                path?: (string|null);

                /** SaveCheckpointRequest step */
                step?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SaveCheckpointRequest. */
            type $Shape = mixmask.v1.SaveCheckpointRequest.$Properties;
        }

        /**
         * Properties of a SaveCheckpointReply.
         * @deprecated Use mixmask.v1.SaveCheckpointReply.$Properties instead.
         */
        interface ISaveCheckpointReply extends mixmask.v1.SaveCheckpointReply.$Properties {
        }

        /** Represents a SaveCheckpointReply. */
        class SaveCheckpointReply {

            /**
             * Constructs a new SaveCheckpointReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.SaveCheckpointReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SaveCheckpointReply bytes. */
            bytes: number;

            /** SaveCheckpointReply sha256. */
            sha256: string;

            /**
             * Creates a new SaveCheckpointReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SaveCheckpointReply instance
             */
            static create(properties: mixmask.v1.SaveCheckpointReply.$Shape): mixmask.v1.SaveCheckpointReply & mixmask.v1.SaveCheckpointReply.$Shape;
            static create(properties?: mixmask.v1.SaveCheckpointReply.$Properties): mixmask.v1.SaveCheckpointReply;

            /**
             * Encodes the specified SaveCheckpointReply message. Does not implicitly {@link mixmask.v1.SaveCheckpointReply.verify|verify} messages.
             * @param message SaveCheckpointReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.SaveCheckpointReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SaveCheckpointReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.SaveCheckpointReply & mixmask.v1.SaveCheckpointReply.$Shape} SaveCheckpointReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.SaveCheckpointReply & mixmask.v1.SaveCheckpointReply.$Shape;
        }

        namespace SaveCheckpointReply {

            /** Properties of a SaveCheckpointReply. */
            interface $Properties {

                /** SaveCheckpointReply bytes */
                bytes?: (number|null);

                /** SaveCheckpointReply sha256 */
                sha256?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SaveCheckpointReply. */
            type $Shape = mixmask.v1.SaveCheckpointReply.$Properties;
        }

        /**
         * Properties of a LoadCheckpointRequest.
         * @deprecated Use mixmask.v1.LoadCheckpointRequest.$Properties instead.
         */
        interface ILoadCheckpointRequest extends mixmask.v1.LoadCheckpointRequest.$Properties {
        }

        /** Represents a LoadCheckpointRequest. */
        class LoadCheckpointRequest {

            /**
             * Constructs a new LoadCheckpointRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.LoadCheckpointRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** LoadCheckpointRequest runId. */
            runId: string;

            /** LoadCheckpointRequest path. */
            path: string;

            /** LoadCheckpointRequest sha256. */
            sha256: string;

            /**
             * Creates a new LoadCheckpointRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns LoadCheckpointRequest instance
             */
            static create(properties: mixmask.v1.LoadCheckpointRequest.$Shape): mixmask.v1.LoadCheckpointRequest & mixmask.v1.LoadCheckpointRequest.$Shape;
            static create(properties?: mixmask.v1.LoadCheckpointRequest.$Properties): mixmask.v1.LoadCheckpointRequest;

            /**
             * Encodes the specified LoadCheckpointRequest message. Does not implicitly {@link mixmask.v1.LoadCheckpointRequest.verify|verify} messages.
             * @param message LoadCheckpointRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.LoadCheckpointRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a LoadCheckpointRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.LoadCheckpointRequest & mixmask.v1.LoadCheckpointRequest.$Shape} LoadCheckpointRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.LoadCheckpointRequest & mixmask.v1.LoadCheckpointRequest.$Shape;
        }

        namespace LoadCheckpointRequest {

            /** Properties of a LoadCheckpointRequest. */
            interface $Properties {

                /** LoadCheckpointRequest runId */
                runId?: (string|null);

                /** LoadCheckpointRequest path */
                path?: (string|null);

                /** LoadCheckpointRequest sha256 */
                sha256?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a LoadCheckpointRequest. */
            type $Shape = mixmask.v1.LoadCheckpointRequest.$Properties;
        }

        /**
         * Properties of a LoadCheckpointReply.
         * @deprecated Use mixmask.v1.LoadCheckpointReply.$Properties instead.
         */
        interface ILoadCheckpointReply extends mixmask.v1.LoadCheckpointReply.$Properties {
        }

        /** Represents a LoadCheckpointReply. */
        class LoadCheckpointReply {

            /**
             * Constructs a new LoadCheckpointReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.LoadCheckpointReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** LoadCheckpointReply bytes. */
            bytes: number;

            /** LoadCheckpointReply step. */
            step: number;

            /**
             * Creates a new LoadCheckpointReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns LoadCheckpointReply instance
             */
            static create(properties: mixmask.v1.LoadCheckpointReply.$Shape): mixmask.v1.LoadCheckpointReply & mixmask.v1.LoadCheckpointReply.$Shape;
            static create(properties?: mixmask.v1.LoadCheckpointReply.$Properties): mixmask.v1.LoadCheckpointReply;

            /**
             * Encodes the specified LoadCheckpointReply message. Does not implicitly {@link mixmask.v1.LoadCheckpointReply.verify|verify} messages.
             * @param message LoadCheckpointReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.LoadCheckpointReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a LoadCheckpointReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.LoadCheckpointReply & mixmask.v1.LoadCheckpointReply.$Shape} LoadCheckpointReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.LoadCheckpointReply & mixmask.v1.LoadCheckpointReply.$Shape;
        }

        namespace LoadCheckpointReply {

            /** Properties of a LoadCheckpointReply. */
            interface $Properties {

                /** LoadCheckpointReply bytes */
                bytes?: (number|null);

                /** LoadCheckpointReply step */
                step?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a LoadCheckpointReply. */
            type $Shape = mixmask.v1.LoadCheckpointReply.$Properties;
        }

        /**
         * Properties of a ShutdownRequest.
         * @deprecated Use mixmask.v1.ShutdownRequest.$Properties instead.
         */
        interface IShutdownRequest extends mixmask.v1.ShutdownRequest.$Properties {
        }

        /** Represents a ShutdownRequest. */
        class ShutdownRequest {

            /**
             * Constructs a new ShutdownRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.ShutdownRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * Creates a new ShutdownRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ShutdownRequest instance
             */
            static create(properties: mixmask.v1.ShutdownRequest.$Shape): mixmask.v1.ShutdownRequest & mixmask.v1.ShutdownRequest.$Shape;
            static create(properties?: mixmask.v1.ShutdownRequest.$Properties): mixmask.v1.ShutdownRequest;

            /**
             * Encodes the specified ShutdownRequest message. Does not implicitly {@link mixmask.v1.ShutdownRequest.verify|verify} messages.
             * @param message ShutdownRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.ShutdownRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ShutdownRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.ShutdownRequest & mixmask.v1.ShutdownRequest.$Shape} ShutdownRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.ShutdownRequest & mixmask.v1.ShutdownRequest.$Shape;
        }

        namespace ShutdownRequest {

            /** Properties of a ShutdownRequest. */
            interface $Properties {

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ShutdownRequest. */
            type $Shape = mixmask.v1.ShutdownRequest.$Properties;
        }

        /**
         * Properties of a ShutdownReply.
         * @deprecated Use mixmask.v1.ShutdownReply.$Properties instead.
         */
        interface IShutdownReply extends mixmask.v1.ShutdownReply.$Properties {
        }

        /** Represents a ShutdownReply. */
        class ShutdownReply {

            /**
             * Constructs a new ShutdownReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.ShutdownReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * Creates a new ShutdownReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ShutdownReply instance
             */
            static create(properties: mixmask.v1.ShutdownReply.$Shape): mixmask.v1.ShutdownReply & mixmask.v1.ShutdownReply.$Shape;
            static create(properties?: mixmask.v1.ShutdownReply.$Properties): mixmask.v1.ShutdownReply;

            /**
             * Encodes the specified ShutdownReply message. Does not implicitly {@link mixmask.v1.ShutdownReply.verify|verify} messages.
             * @param message ShutdownReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.ShutdownReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ShutdownReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.ShutdownReply & mixmask.v1.ShutdownReply.$Shape} ShutdownReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.ShutdownReply & mixmask.v1.ShutdownReply.$Shape;
        }

        namespace ShutdownReply {

            /** Properties of a ShutdownReply. */
            interface $Properties {

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ShutdownReply. */
            type $Shape = mixmask.v1.ShutdownReply.$Properties;
        }

        /** Lane enum. */
        enum Lane {

            /** LANE_UNSPECIFIED value */
            LANE_UNSPECIFIED = 0,

            /** LANE_GRPC value */
            LANE_GRPC = 1,

            /** LANE_ZMQ value */
            LANE_ZMQ = 2
        }

        /**
         * Properties of a BeginUploadRequest.
         * @deprecated Use mixmask.v1.BeginUploadRequest.$Properties instead.
         */
        interface IBeginUploadRequest extends mixmask.v1.BeginUploadRequest.$Properties {
        }

        /** Represents a BeginUploadRequest. */
        class BeginUploadRequest {

            /**
             * Constructs a new BeginUploadRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.BeginUploadRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** BeginUploadRequest header. */
            header?: (mixmask.v1.DatasetHeader.$Properties|null);

            /** BeginUploadRequest contentSha256. */
            contentSha256: string;

            /** BeginUploadRequest lane. */
            lane: mixmask.v1.Lane;

            /**
             * Creates a new BeginUploadRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns BeginUploadRequest instance
             */
            static create(properties: mixmask.v1.BeginUploadRequest.$Shape): mixmask.v1.BeginUploadRequest & mixmask.v1.BeginUploadRequest.$Shape;
            static create(properties?: mixmask.v1.BeginUploadRequest.$Properties): mixmask.v1.BeginUploadRequest;

            /**
             * Encodes the specified BeginUploadRequest message. Does not implicitly {@link mixmask.v1.BeginUploadRequest.verify|verify} messages.
             * @param message BeginUploadRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.BeginUploadRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a BeginUploadRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.BeginUploadRequest & mixmask.v1.BeginUploadRequest.$Shape} BeginUploadRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.BeginUploadRequest & mixmask.v1.BeginUploadRequest.$Shape;
        }

        namespace BeginUploadRequest {

            /** Properties of a BeginUploadRequest. */
            interface $Properties {

                /** BeginUploadRequest header */
                header?: (mixmask.v1.DatasetHeader.$Properties|null);

                /** BeginUploadRequest contentSha256 */
                contentSha256?: (string|null);

                /** BeginUploadRequest lane */
                lane?: (mixmask.v1.Lane|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a BeginUploadRequest. */
            type $Shape = mixmask.v1.BeginUploadRequest.$Properties;
        }

        /**
         * Properties of a BeginUploadReply.
         * @deprecated Use mixmask.v1.BeginUploadReply.$Properties instead.
         */
        interface IBeginUploadReply extends mixmask.v1.BeginUploadReply.$Properties {
        }

        /** Represents a BeginUploadReply. */
        class BeginUploadReply {

            /**
             * Constructs a new BeginUploadReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.BeginUploadReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** BeginUploadReply cached. */
            cached: boolean;

            /** BeginUploadReply dataset. */
            dataset?: (mixmask.v1.DatasetInfo.$Properties|null);

            /** BeginUploadReply cacheSource. */
            cacheSource: string;

            /** BeginUploadReply uploadId. */
            uploadId: string;

            /** BeginUploadReply zmqEndpoint. */
            zmqEndpoint: string;

            /**
             * Creates a new BeginUploadReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns BeginUploadReply instance
             */
            static create(properties: mixmask.v1.BeginUploadReply.$Shape): mixmask.v1.BeginUploadReply & mixmask.v1.BeginUploadReply.$Shape;
            static create(properties?: mixmask.v1.BeginUploadReply.$Properties): mixmask.v1.BeginUploadReply;

            /**
             * Encodes the specified BeginUploadReply message. Does not implicitly {@link mixmask.v1.BeginUploadReply.verify|verify} messages.
             * @param message BeginUploadReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.BeginUploadReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a BeginUploadReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.BeginUploadReply & mixmask.v1.BeginUploadReply.$Shape} BeginUploadReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.BeginUploadReply & mixmask.v1.BeginUploadReply.$Shape;
        }

        namespace BeginUploadReply {

            /** Properties of a BeginUploadReply. */
            interface $Properties {

                /** BeginUploadReply cached */
                cached?: (boolean|null);

                /** BeginUploadReply dataset */
                dataset?: (mixmask.v1.DatasetInfo.$Properties|null);

                /** BeginUploadReply cacheSource */
                cacheSource?: (string|null);

                /** BeginUploadReply uploadId */
                uploadId?: (string|null);

                /** BeginUploadReply zmqEndpoint */
                zmqEndpoint?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a BeginUploadReply. */
            type $Shape = mixmask.v1.BeginUploadReply.$Properties;
        }

        /**
         * Properties of an UploadPart.
         * @deprecated Use mixmask.v1.UploadPart.$Properties instead.
         */
        interface IUploadPart extends mixmask.v1.UploadPart.$Properties {
        }

        /** Represents an UploadPart. */
        class UploadPart {

            /**
             * Constructs a new UploadPart.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.UploadPart.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** UploadPart uploadId. */
            uploadId: string;

            /** UploadPart pixels. */
            pixels: Uint8Array;

            /**
             * Creates a new UploadPart instance using the specified properties.
             * @param [properties] Properties to set
             * @returns UploadPart instance
             */
            static create(properties: mixmask.v1.UploadPart.$Shape): mixmask.v1.UploadPart & mixmask.v1.UploadPart.$Shape;
            static create(properties?: mixmask.v1.UploadPart.$Properties): mixmask.v1.UploadPart;

            /**
             * Encodes the specified UploadPart message. Does not implicitly {@link mixmask.v1.UploadPart.verify|verify} messages.
             * @param message UploadPart message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.UploadPart.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an UploadPart message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.UploadPart & mixmask.v1.UploadPart.$Shape} UploadPart
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.UploadPart & mixmask.v1.UploadPart.$Shape;
        }

        namespace UploadPart {

            /** Properties of an UploadPart. */
            interface $Properties {

                /** UploadPart uploadId */
                uploadId?: (string|null);

                /** UploadPart pixels */
                pixels?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an UploadPart. */
            type $Shape = mixmask.v1.UploadPart.$Properties;
        }

        /**
         * Properties of a FinishUploadRequest.
         * @deprecated Use mixmask.v1.FinishUploadRequest.$Properties instead.
         */
        interface IFinishUploadRequest extends mixmask.v1.FinishUploadRequest.$Properties {
        }

        /** Represents a FinishUploadRequest. */
        class FinishUploadRequest {

            /**
             * Constructs a new FinishUploadRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.FinishUploadRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** FinishUploadRequest uploadId. */
            uploadId: string;

            /**
             * Creates a new FinishUploadRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns FinishUploadRequest instance
             */
            static create(properties: mixmask.v1.FinishUploadRequest.$Shape): mixmask.v1.FinishUploadRequest & mixmask.v1.FinishUploadRequest.$Shape;
            static create(properties?: mixmask.v1.FinishUploadRequest.$Properties): mixmask.v1.FinishUploadRequest;

            /**
             * Encodes the specified FinishUploadRequest message. Does not implicitly {@link mixmask.v1.FinishUploadRequest.verify|verify} messages.
             * @param message FinishUploadRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.FinishUploadRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a FinishUploadRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.FinishUploadRequest & mixmask.v1.FinishUploadRequest.$Shape} FinishUploadRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.FinishUploadRequest & mixmask.v1.FinishUploadRequest.$Shape;
        }

        namespace FinishUploadRequest {

            /** Properties of a FinishUploadRequest. */
            interface $Properties {

                /** FinishUploadRequest uploadId */
                uploadId?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a FinishUploadRequest. */
            type $Shape = mixmask.v1.FinishUploadRequest.$Properties;
        }

        /**
         * Properties of an OpenStreamRequest.
         * @deprecated Use mixmask.v1.OpenStreamRequest.$Properties instead.
         */
        interface IOpenStreamRequest extends mixmask.v1.OpenStreamRequest.$Properties {
        }

        /** Represents an OpenStreamRequest. */
        class OpenStreamRequest {

            /**
             * Constructs a new OpenStreamRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.OpenStreamRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** OpenStreamRequest streamId. */
            streamId: string;

            /** OpenStreamRequest count. */
            count: number;

            /** OpenStreamRequest height. */
            height: number;

            /** OpenStreamRequest width. */
            width: number;

            /** OpenStreamRequest channels. */
            channels: number;

            /** OpenStreamRequest capacityBatches. */
            capacityBatches: number;

            /** OpenStreamRequest batchTimeoutMs. */
            batchTimeoutMs: number;

            /** OpenStreamRequest lane. */
            lane: mixmask.v1.Lane;

            /**
             * Creates a new OpenStreamRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns OpenStreamRequest instance
             */
            static create(properties: mixmask.v1.OpenStreamRequest.$Shape): mixmask.v1.OpenStreamRequest & mixmask.v1.OpenStreamRequest.$Shape;
            static create(properties?: mixmask.v1.OpenStreamRequest.$Properties): mixmask.v1.OpenStreamRequest;

            /**
             * Encodes the specified OpenStreamRequest message. Does not implicitly {@link mixmask.v1.OpenStreamRequest.verify|verify} messages.
             * @param message OpenStreamRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.OpenStreamRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an OpenStreamRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.OpenStreamRequest & mixmask.v1.OpenStreamRequest.$Shape} OpenStreamRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.OpenStreamRequest & mixmask.v1.OpenStreamRequest.$Shape;
        }

        namespace OpenStreamRequest {

            /** Properties of an OpenStreamRequest. */
            interface $Properties {

                /** OpenStreamRequest streamId */
                streamId?: (string|null);

                /** OpenStreamRequest count */
                count?: (number|null);

                /** OpenStreamRequest height */
                height?: (number|null);

                /** OpenStreamRequest width */
                width?: (number|null);

                /** OpenStreamRequest channels */
                channels?: (number|null);

                /** OpenStreamRequest capacityBatches */
                capacityBatches?: (number|null);

                /** OpenStreamRequest batchTimeoutMs */
                batchTimeoutMs?: (number|null);

                /** OpenStreamRequest lane */
                lane?: (mixmask.v1.Lane|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an OpenStreamRequest. */
            type $Shape = mixmask.v1.OpenStreamRequest.$Properties;
        }

        /**
         * Properties of an OpenStreamReply.
         * @deprecated Use mixmask.v1.OpenStreamReply.$Properties instead.
         */
        interface IOpenStreamReply extends mixmask.v1.OpenStreamReply.$Properties {
        }

        /** Represents an OpenStreamReply. */
        class OpenStreamReply {

            /**
             * Constructs a new OpenStreamReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.OpenStreamReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** OpenStreamReply zmqEndpoint. */
            zmqEndpoint: string;

            /**
             * Creates a new OpenStreamReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns OpenStreamReply instance
             */
            static create(properties: mixmask.v1.OpenStreamReply.$Shape): mixmask.v1.OpenStreamReply & mixmask.v1.OpenStreamReply.$Shape;
            static create(properties?: mixmask.v1.OpenStreamReply.$Properties): mixmask.v1.OpenStreamReply;

            /**
             * Encodes the specified OpenStreamReply message. Does not implicitly {@link mixmask.v1.OpenStreamReply.verify|verify} messages.
             * @param message OpenStreamReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.OpenStreamReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an OpenStreamReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.OpenStreamReply & mixmask.v1.OpenStreamReply.$Shape} OpenStreamReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.OpenStreamReply & mixmask.v1.OpenStreamReply.$Shape;
        }

        namespace OpenStreamReply {

            /** Properties of an OpenStreamReply. */
            interface $Properties {

                /** OpenStreamReply zmqEndpoint */
                zmqEndpoint?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an OpenStreamReply. */
            type $Shape = mixmask.v1.OpenStreamReply.$Properties;
        }

        /**
         * Properties of a StreamBatch.
         * @deprecated Use mixmask.v1.StreamBatch.$Properties instead.
         */
        interface IStreamBatch extends mixmask.v1.StreamBatch.$Properties {
        }

        /** Represents a StreamBatch. */
        class StreamBatch {

            /**
             * Constructs a new StreamBatch.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.StreamBatch.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamBatch streamId. */
            streamId: string;

            /** StreamBatch step. */
            step: number;

            /** StreamBatch indices. */
            indices: number[];

            /** StreamBatch pixels. */
            pixels: Uint8Array;

            /**
             * Creates a new StreamBatch instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamBatch instance
             */
            static create(properties: mixmask.v1.StreamBatch.$Shape): mixmask.v1.StreamBatch & mixmask.v1.StreamBatch.$Shape;
            static create(properties?: mixmask.v1.StreamBatch.$Properties): mixmask.v1.StreamBatch;

            /**
             * Encodes the specified StreamBatch message. Does not implicitly {@link mixmask.v1.StreamBatch.verify|verify} messages.
             * @param message StreamBatch message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.StreamBatch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamBatch message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.StreamBatch & mixmask.v1.StreamBatch.$Shape} StreamBatch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.StreamBatch & mixmask.v1.StreamBatch.$Shape;
        }

        namespace StreamBatch {

            /** Properties of a StreamBatch. */
            interface $Properties {

                /** StreamBatch streamId */
                streamId?: (string|null);

                /** StreamBatch step */
                step?: (number|null);

                /** StreamBatch indices */
                indices?: (number[]|null);

                /** StreamBatch pixels */
                pixels?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a StreamBatch. */
            type $Shape = mixmask.v1.StreamBatch.$Properties;
        }

        /**
         * Properties of a PushBatchesReply.
         * @deprecated Use mixmask.v1.PushBatchesReply.$Properties instead.
         */
        interface IPushBatchesReply extends mixmask.v1.PushBatchesReply.$Properties {
        }

        /** Represents a PushBatchesReply. */
        class PushBatchesReply {

            /**
             * Constructs a new PushBatchesReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.PushBatchesReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PushBatchesReply batches. */
            batches: number;

            /**
             * Creates a new PushBatchesReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PushBatchesReply instance
             */
            static create(properties: mixmask.v1.PushBatchesReply.$Shape): mixmask.v1.PushBatchesReply & mixmask.v1.PushBatchesReply.$Shape;
            static create(properties?: mixmask.v1.PushBatchesReply.$Properties): mixmask.v1.PushBatchesReply;

            /**
             * Encodes the specified PushBatchesReply message. Does not implicitly {@link mixmask.v1.PushBatchesReply.verify|verify} messages.
             * @param message PushBatchesReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.PushBatchesReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PushBatchesReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.PushBatchesReply & mixmask.v1.PushBatchesReply.$Shape} PushBatchesReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.PushBatchesReply & mixmask.v1.PushBatchesReply.$Shape;
        }

        namespace PushBatchesReply {

            /** Properties of a PushBatchesReply. */
            interface $Properties {

                /** PushBatchesReply batches */
                batches?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PushBatchesReply. */
            type $Shape = mixmask.v1.PushBatchesReply.$Properties;
        }

        /**
         * Properties of a CloseStreamRequest.
         * @deprecated Use mixmask.v1.CloseStreamRequest.$Properties instead.
         */
        interface ICloseStreamRequest extends mixmask.v1.CloseStreamRequest.$Properties {
        }

        /** Represents a CloseStreamRequest. */
        class CloseStreamRequest {

            /**
             * Constructs a new CloseStreamRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.CloseStreamRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CloseStreamRequest streamId. */
            streamId: string;

            /**
             * Creates a new CloseStreamRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CloseStreamRequest instance
             */
            static create(properties: mixmask.v1.CloseStreamRequest.$Shape): mixmask.v1.CloseStreamRequest & mixmask.v1.CloseStreamRequest.$Shape;
            static create(properties?: mixmask.v1.CloseStreamRequest.$Properties): mixmask.v1.CloseStreamRequest;

            /**
             * Encodes the specified CloseStreamRequest message. Does not implicitly {@link mixmask.v1.CloseStreamRequest.verify|verify} messages.
             * @param message CloseStreamRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.CloseStreamRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CloseStreamRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.CloseStreamRequest & mixmask.v1.CloseStreamRequest.$Shape} CloseStreamRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.CloseStreamRequest & mixmask.v1.CloseStreamRequest.$Shape;
        }

        namespace CloseStreamRequest {

            /** Properties of a CloseStreamRequest. */
            interface $Properties {

                /** CloseStreamRequest streamId */
                streamId?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CloseStreamRequest. */
            type $Shape = mixmask.v1.CloseStreamRequest.$Properties;
        }

        /**
         * Properties of a StreamStats.
         * @deprecated Use mixmask.v1.StreamStats.$Properties instead.
         */
        interface IStreamStats extends mixmask.v1.StreamStats.$Properties {
        }

        /** Represents a StreamStats. */
        class StreamStats {

            /**
             * Constructs a new StreamStats.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.StreamStats.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamStats batchesReceived. */
            batchesReceived: number;

            /** StreamStats batchesConsumed. */
            batchesConsumed: number;

            /** StreamStats peakBufferedBatches. */
            peakBufferedBatches: number;

            /** StreamStats peakBufferedBytes. */
            peakBufferedBytes: number;

            /** StreamStats capacityBatches. */
            capacityBatches: number;

            /**
             * Creates a new StreamStats instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamStats instance
             */
            static create(properties: mixmask.v1.StreamStats.$Shape): mixmask.v1.StreamStats & mixmask.v1.StreamStats.$Shape;
            static create(properties?: mixmask.v1.StreamStats.$Properties): mixmask.v1.StreamStats;

            /**
             * Encodes the specified StreamStats message. Does not implicitly {@link mixmask.v1.StreamStats.verify|verify} messages.
             * @param message StreamStats message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.StreamStats.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamStats message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.StreamStats & mixmask.v1.StreamStats.$Shape} StreamStats
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.StreamStats & mixmask.v1.StreamStats.$Shape;
        }

        namespace StreamStats {

            /** Properties of a StreamStats. */
            interface $Properties {

                /** StreamStats batchesReceived */
                batchesReceived?: (number|null);

                /** StreamStats batchesConsumed */
                batchesConsumed?: (number|null);

                /** StreamStats peakBufferedBatches */
                peakBufferedBatches?: (number|null);

                /** StreamStats peakBufferedBytes */
                peakBufferedBytes?: (number|null);

                /** StreamStats capacityBatches */
                capacityBatches?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a StreamStats. */
            type $Shape = mixmask.v1.StreamStats.$Properties;
        }

        /**
         * Properties of a LinearProbeRequest.
         * @deprecated Use mixmask.v1.LinearProbeRequest.$Properties instead.
         */
        interface ILinearProbeRequest extends mixmask.v1.LinearProbeRequest.$Properties {
        }

        /** Represents a LinearProbeRequest. */
        class LinearProbeRequest {

            /**
             * Constructs a new LinearProbeRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.LinearProbeRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** LinearProbeRequest runId. */
            runId: string;

            /** LinearProbeRequest trainDatasetId. */
            trainDatasetId: string;

            /** LinearProbeRequest testDatasetId. */
            testDatasetId: string;

            /** LinearProbeRequest trainIndices. */
            trainIndices: number[];

            /** LinearProbeRequest testIndices. */
            testIndices: number[];

            /** LinearProbeRequest epochs. */
            epochs: number;

            /** LinearProbeRequest batchSize. */
            batchSize: number;

            /** LinearProbeRequest lr. */
            lr: number;

            /** LinearProbeRequest momentum. */
            momentum: number;

            /** LinearProbeRequest weightDecay. */
            weightDecay: number;

            /** LinearProbeRequest lrMilestones. */
            lrMilestones: number[];

            /** LinearProbeRequest lrGamma. */
            lrGamma: number;

            /** LinearProbeRequest initStd. */
            initStd: number;

            /** LinearProbeRequest seed. */
            seed: number;

            /** LinearProbeRequest featureBatchSize. */
            featureBatchSize: number;

            /** LinearProbeRequest features. */
            features: mixmask.v1.FeatureSource;

            /**
             * Creates a new LinearProbeRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns LinearProbeRequest instance
             */
            static create(properties: mixmask.v1.LinearProbeRequest.$Shape): mixmask.v1.LinearProbeRequest & mixmask.v1.LinearProbeRequest.$Shape;
            static create(properties?: mixmask.v1.LinearProbeRequest.$Properties): mixmask.v1.LinearProbeRequest;

            /**
             * Encodes the specified LinearProbeRequest message. Does not implicitly {@link mixmask.v1.LinearProbeRequest.verify|verify} messages.
             * @param message LinearProbeRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.LinearProbeRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a LinearProbeRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.LinearProbeRequest & mixmask.v1.LinearProbeRequest.$Shape} LinearProbeRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.LinearProbeRequest & mixmask.v1.LinearProbeRequest.$Shape;
        }

        namespace LinearProbeRequest {

            /** Properties of a LinearProbeRequest. */
            interface $Properties {

                /** LinearProbeRequest runId */
                runId?: (string|null);

                /** LinearProbeRequest trainDatasetId */
                trainDatasetId?: (string|null);

                /** LinearProbeRequest testDatasetId */
                testDatasetId?: (string|null);

                /** LinearProbeRequest trainIndices */
                trainIndices?: (number[]|null);

                /** LinearProbeRequest testIndices */
                testIndices?: (number[]|null);

                /** LinearProbeRequest epochs */
                epochs?: (number|null);

                /** LinearProbeRequest batchSize */
                batchSize?: (number|null);

                /** LinearProbeRequest lr */
                lr?: (number|null);

                /** LinearProbeRequest momentum */
                momentum?: (number|null);

                /** LinearProbeRequest weightDecay */
                weightDecay?: (number|null);

                /** LinearProbeRequest lrMilestones */
                lrMilestones?: (number[]|null);

                /** LinearProbeRequest lrGamma */
                lrGamma?: (number|null);

                /** LinearProbeRequest initStd */
                initStd?: (number|null);

                /** LinearProbeRequest seed */
                seed?: (number|null);

                /** LinearProbeRequest featureBatchSize */
                featureBatchSize?: (number|null);

                /** LinearProbeRequest features */
                features?: (mixmask.v1.FeatureSource|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a LinearProbeRequest. */
            type $Shape = mixmask.v1.LinearProbeRequest.$Properties;
        }

        /**
         * Properties of a LinearProbeReply.
         * @deprecated Use mixmask.v1.LinearProbeReply.$Properties instead.
         */
        interface ILinearProbeReply extends mixmask.v1.LinearProbeReply.$Properties {
        }

        /** Represents a LinearProbeReply. */
        class LinearProbeReply {

            /**
             * Constructs a new LinearProbeReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.LinearProbeReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** LinearProbeReply testTop1. */
            testTop1: number[];

            /** LinearProbeReply lastTop5. */
            lastTop5: number;

            /** LinearProbeReply trainTop1. */
            trainTop1: number;

            /** LinearProbeReply finalTrainLoss. */
            finalTrainLoss: number;

            /** LinearProbeReply featureDim. */
            featureDim: number;

            /** LinearProbeReply trainCount. */
            trainCount: number;

            /** LinearProbeReply testCount. */
            testCount: number;

            /** LinearProbeReply numClasses. */
            numClasses: number;

            /** LinearProbeReply featuresCached. */
            featuresCached: boolean;

            /** LinearProbeReply featureSeconds. */
            featureSeconds: number;

            /** LinearProbeReply seconds. */
            seconds: number;

            /**
             * Creates a new LinearProbeReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns LinearProbeReply instance
             */
            static create(properties: mixmask.v1.LinearProbeReply.$Shape): mixmask.v1.LinearProbeReply & mixmask.v1.LinearProbeReply.$Shape;
            static create(properties?: mixmask.v1.LinearProbeReply.$Properties): mixmask.v1.LinearProbeReply;

            /**
             * Encodes the specified LinearProbeReply message. Does not implicitly {@link mixmask.v1.LinearProbeReply.verify|verify} messages.
             * @param message LinearProbeReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.LinearProbeReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a LinearProbeReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.LinearProbeReply & mixmask.v1.LinearProbeReply.$Shape} LinearProbeReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.LinearProbeReply & mixmask.v1.LinearProbeReply.$Shape;
        }

        namespace LinearProbeReply {

            /** Properties of a LinearProbeReply. */
            interface $Properties {

                /** LinearProbeReply testTop1 */
                testTop1?: (number[]|null);

                /** LinearProbeReply lastTop5 */
                lastTop5?: (number|null);

                /** LinearProbeReply trainTop1 */
                trainTop1?: (number|null);

                /** LinearProbeReply finalTrainLoss */
                finalTrainLoss?: (number|null);

                /** LinearProbeReply featureDim */
                featureDim?: (number|null);

                /** LinearProbeReply trainCount */
                trainCount?: (number|null);

                /** LinearProbeReply testCount */
                testCount?: (number|null);

                /** LinearProbeReply numClasses */
                numClasses?: (number|null);

                /** LinearProbeReply featuresCached */
                featuresCached?: (boolean|null);

                /** LinearProbeReply featureSeconds */
                featureSeconds?: (number|null);

                /** LinearProbeReply seconds */
                seconds?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a LinearProbeReply. */
            type $Shape = mixmask.v1.LinearProbeReply.$Properties;
        }

        /**
         * Properties of a FineTuneStep.
         * @deprecated Use mixmask.v1.FineTuneStep.$Properties instead.
         */
        interface IFineTuneStep extends mixmask.v1.FineTuneStep.$Properties {
        }

        /** Represents a FineTuneStep. */
        class FineTuneStep {

            /**
             * Constructs a new FineTuneStep.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.FineTuneStep.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** FineTuneStep indices. */
            indices: number[];

            /** FineTuneStep view. */
            view?: (mixmask.v1.ViewPlan.$Properties|null);

            /** FineTuneStep lr. */
            lr: number;

            /**
             * Creates a new FineTuneStep instance using the specified properties.
             * @param [properties] Properties to set
             * @returns FineTuneStep instance
             */
            static create(properties: mixmask.v1.FineTuneStep.$Shape): mixmask.v1.FineTuneStep & mixmask.v1.FineTuneStep.$Shape;
            static create(properties?: mixmask.v1.FineTuneStep.$Properties): mixmask.v1.FineTuneStep;

            /**
             * Encodes the specified FineTuneStep message. Does not implicitly {@link mixmask.v1.FineTuneStep.verify|verify} messages.
             * @param message FineTuneStep message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.FineTuneStep.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a FineTuneStep message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.FineTuneStep & mixmask.v1.FineTuneStep.$Shape} FineTuneStep
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.FineTuneStep & mixmask.v1.FineTuneStep.$Shape;
        }

        namespace FineTuneStep {

            /** Properties of a FineTuneStep. */
            interface $Properties {

                /** FineTuneStep indices */
                indices?: (number[]|null);

                /** FineTuneStep view */
                view?: (mixmask.v1.ViewPlan.$Properties|null);

                /** FineTuneStep lr */
                lr?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a FineTuneStep. */
            type $Shape = mixmask.v1.FineTuneStep.$Properties;
        }

        /**
         * Properties of a FineTuneRequest.
         * @deprecated Use mixmask.v1.FineTuneRequest.$Properties instead.
         */
        interface IFineTuneRequest extends mixmask.v1.FineTuneRequest.$Properties {
        }

        /** Represents a FineTuneRequest. */
        class FineTuneRequest {

            /**
             * Constructs a new FineTuneRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.FineTuneRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** FineTuneRequest runId. */
            runId: string;

            /** FineTuneRequest trainDatasetId. */
            trainDatasetId: string;

            /** FineTuneRequest testDatasetId. */
            testDatasetId: string;

            /** FineTuneRequest testIndices. */
            testIndices: number[];

            /** FineTuneRequest steps. */
            steps: mixmask.v1.FineTuneStep.$Properties[];

            /** FineTuneRequest momentum. */
            momentum: number;

            /** FineTuneRequest nesterov. */
            nesterov: boolean;

            /** FineTuneRequest weightDecay. */
            weightDecay: number;

            /** FineTuneRequest initStd. */
            initStd: number;

            /** FineTuneRequest seed. */
            seed: number;

            /** FineTuneRequest evalBatchSize. */
            evalBatchSize: number;

            /**
             * Creates a new FineTuneRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns FineTuneRequest instance
             */
            static create(properties: mixmask.v1.FineTuneRequest.$Shape): mixmask.v1.FineTuneRequest & mixmask.v1.FineTuneRequest.$Shape;
            static create(properties?: mixmask.v1.FineTuneRequest.$Properties): mixmask.v1.FineTuneRequest;

            /**
             * Encodes the specified FineTuneRequest message. Does not implicitly {@link mixmask.v1.FineTuneRequest.verify|verify} messages.
             * @param message FineTuneRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.FineTuneRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a FineTuneRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.FineTuneRequest & mixmask.v1.FineTuneRequest.$Shape} FineTuneRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.FineTuneRequest & mixmask.v1.FineTuneRequest.$Shape;
        }

        namespace FineTuneRequest {

            /** Properties of a FineTuneRequest. */
            interface $Properties {

                /** FineTuneRequest runId */
                runId?: (string|null);

                /** FineTuneRequest trainDatasetId */
                trainDatasetId?: (string|null);

                /** FineTuneRequest testDatasetId */
                testDatasetId?: (string|null);

                /** FineTuneRequest testIndices */
                testIndices?: (number[]|null);

                /** FineTuneRequest steps */
                steps?: (mixmask.v1.FineTuneStep.$Properties[]|null);

                /** FineTuneRequest momentum */
                momentum?: (number|null);

                /** FineTuneRequest nesterov */
                nesterov?: (boolean|null);

                /** FineTuneRequest weightDecay */
                weightDecay?: (number|null);

                /** FineTuneRequest initStd */
                initStd?: (number|null);

                /** FineTuneRequest seed */
                seed?: (number|null);

                /** FineTuneRequest evalBatchSize */
                evalBatchSize?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a FineTuneRequest. */
            type $Shape = mixmask.v1.FineTuneRequest.$Properties;
        }

        /**
         * Properties of a FineTuneReply.
         * @deprecated Use mixmask.v1.FineTuneReply.$Properties instead.
         */
        interface IFineTuneReply extends mixmask.v1.FineTuneReply.$Properties {
        }

        /** Represents a FineTuneReply. */
        class FineTuneReply {

            /**
             * Constructs a new FineTuneReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.FineTuneReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** FineTuneReply testTop1. */
            testTop1: number;

            /** FineTuneReply testTop5. */
            testTop5: number;

            /** FineTuneReply finalTrainLoss. */
            finalTrainLoss: number;

            /** FineTuneReply labelledCount. */
            labelledCount: number;

            /** FineTuneReply testCount. */
            testCount: number;

            /** FineTuneReply numClasses. */
            numClasses: number;

            /** FineTuneReply seconds. */
            seconds: number;

            /**
             * Creates a new FineTuneReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns FineTuneReply instance
             */
            static create(properties: mixmask.v1.FineTuneReply.$Shape): mixmask.v1.FineTuneReply & mixmask.v1.FineTuneReply.$Shape;
            static create(properties?: mixmask.v1.FineTuneReply.$Properties): mixmask.v1.FineTuneReply;

            /**
             * Encodes the specified FineTuneReply message. Does not implicitly {@link mixmask.v1.FineTuneReply.verify|verify} messages.
             * @param message FineTuneReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.FineTuneReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a FineTuneReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.FineTuneReply & mixmask.v1.FineTuneReply.$Shape} FineTuneReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.FineTuneReply & mixmask.v1.FineTuneReply.$Shape;
        }

        namespace FineTuneReply {

            /** Properties of a FineTuneReply. */
            interface $Properties {

                /** FineTuneReply testTop1 */
                testTop1?: (number|null);

                /** FineTuneReply testTop5 */
                testTop5?: (number|null);

                /** FineTuneReply finalTrainLoss */
                finalTrainLoss?: (number|null);

                /** FineTuneReply labelledCount */
                labelledCount?: (number|null);

                /** FineTuneReply testCount */
                testCount?: (number|null);

                /** FineTuneReply numClasses */
                numClasses?: (number|null);

                /** FineTuneReply seconds */
                seconds?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a FineTuneReply. */
            type $Shape = mixmask.v1.FineTuneReply.$Properties;
        }

        /**
         * Properties of a DescribeRankRequest.
         * @deprecated Use mixmask.v1.DescribeRankRequest.$Properties instead.
         */
        interface IDescribeRankRequest extends mixmask.v1.DescribeRankRequest.$Properties {
        }

        /** Represents a DescribeRankRequest. */
        class DescribeRankRequest {

            /**
             * Constructs a new DescribeRankRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.DescribeRankRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * Creates a new DescribeRankRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DescribeRankRequest instance
             */
            static create(properties: mixmask.v1.DescribeRankRequest.$Shape): mixmask.v1.DescribeRankRequest & mixmask.v1.DescribeRankRequest.$Shape;
            static create(properties?: mixmask.v1.DescribeRankRequest.$Properties): mixmask.v1.DescribeRankRequest;

            /**
             * Encodes the specified DescribeRankRequest message. Does not implicitly {@link mixmask.v1.DescribeRankRequest.verify|verify} messages.
             * @param message DescribeRankRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.DescribeRankRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DescribeRankRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.DescribeRankRequest & mixmask.v1.DescribeRankRequest.$Shape} DescribeRankRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.DescribeRankRequest & mixmask.v1.DescribeRankRequest.$Shape;
        }

        namespace DescribeRankRequest {

            /** Properties of a DescribeRankRequest. */
            interface $Properties {

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DescribeRankRequest. */
            type $Shape = mixmask.v1.DescribeRankRequest.$Properties;
        }

        /**
         * Properties of a RankInfo.
         * @deprecated Use mixmask.v1.RankInfo.$Properties instead.
         */
        interface IRankInfo extends mixmask.v1.RankInfo.$Properties {
        }

        /** Represents a RankInfo. */
        class RankInfo {

            /**
             * Constructs a new RankInfo.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.RankInfo.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** RankInfo rank. */
            rank: number;

            /** RankInfo worldSize. */
            worldSize: number;

            /** RankInfo localRank. */
            localRank: number;

            /** RankInfo launchId. */
            launchId: string;

            /** RankInfo backend. */
            backend: string;

            /** RankInfo host. */
            host: string;

            /** RankInfo endpoint. */
            endpoint: string;

            /** RankInfo pid. */
            pid: number;

            /**
             * Creates a new RankInfo instance using the specified properties.
             * @param [properties] Properties to set
             * @returns RankInfo instance
             */
            static create(properties: mixmask.v1.RankInfo.$Shape): mixmask.v1.RankInfo & mixmask.v1.RankInfo.$Shape;
            static create(properties?: mixmask.v1.RankInfo.$Properties): mixmask.v1.RankInfo;

            /**
             * Encodes the specified RankInfo message. Does not implicitly {@link mixmask.v1.RankInfo.verify|verify} messages.
             * @param message RankInfo message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.RankInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a RankInfo message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.RankInfo & mixmask.v1.RankInfo.$Shape} RankInfo
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.RankInfo & mixmask.v1.RankInfo.$Shape;
        }

        namespace RankInfo {

            /** Properties of a RankInfo. */
            interface $Properties {

                /** RankInfo rank */
                rank?: (number|null);

                /** RankInfo worldSize */
                worldSize?: (number|null);

                /** RankInfo localRank */
                localRank?: (number|null);

                /** RankInfo launchId */
                launchId?: (string|null);

                /** RankInfo backend */
                backend?: (string|null);

                /** RankInfo host */
                host?: (string|null);

                /** RankInfo endpoint */
                endpoint?: (string|null);

                /** RankInfo pid */
                pid?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a RankInfo. */
            type $Shape = mixmask.v1.RankInfo.$Properties;
        }

        /**
         * Properties of a CreateDistributedRunRequest.
         * @deprecated Use mixmask.v1.CreateDistributedRunRequest.$Properties instead.
         */
        interface ICreateDistributedRunRequest extends mixmask.v1.CreateDistributedRunRequest.$Properties {
        }

        /** Represents a CreateDistributedRunRequest. */
        class CreateDistributedRunRequest {

            /**
             * Constructs a new CreateDistributedRunRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.CreateDistributedRunRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CreateDistributedRunRequest run. */
            run?: (mixmask.v1.CreateRunRequest.$Properties|null);

            /** CreateDistributedRunRequest syncBatchNorm. */
            syncBatchNorm: boolean;

            /**
             * Creates a new CreateDistributedRunRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CreateDistributedRunRequest instance
             */
            static create(properties: mixmask.v1.CreateDistributedRunRequest.$Shape): mixmask.v1.CreateDistributedRunRequest & mixmask.v1.CreateDistributedRunRequest.$Shape;
            static create(properties?: mixmask.v1.CreateDistributedRunRequest.$Properties): mixmask.v1.CreateDistributedRunRequest;

            /**
             * Encodes the specified CreateDistributedRunRequest message. Does not implicitly {@link mixmask.v1.CreateDistributedRunRequest.verify|verify} messages.
             * @param message CreateDistributedRunRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.CreateDistributedRunRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CreateDistributedRunRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.CreateDistributedRunRequest & mixmask.v1.CreateDistributedRunRequest.$Shape} CreateDistributedRunRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.CreateDistributedRunRequest & mixmask.v1.CreateDistributedRunRequest.$Shape;
        }

        namespace CreateDistributedRunRequest {

            /** Properties of a CreateDistributedRunRequest. */
            interface $Properties {

                /** CreateDistributedRunRequest run */
                run?: (mixmask.v1.CreateRunRequest.$Properties|null);

                /** CreateDistributedRunRequest syncBatchNorm */
                syncBatchNorm?: (boolean|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CreateDistributedRunRequest. */
            type $Shape = mixmask.v1.CreateDistributedRunRequest.$Properties;
        }

        /**
         * Properties of a RankShard.
         * @deprecated Use mixmask.v1.RankShard.$Properties instead.
         */
        interface IRankShard extends mixmask.v1.RankShard.$Properties {
        }

        /** Represents a RankShard. */
        class RankShard {

            /**
             * Constructs a new RankShard.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.RankShard.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** RankShard rank. */
            rank: number;

            /** RankShard worldSize. */
            worldSize: number;

            /** RankShard globalBatchSize. */
            globalBatchSize: number;

            /** RankShard positions. */
            positions: number[];

            /** RankShard keyGatherShuffle. */
            keyGatherShuffle: number[];

            /** RankShard keyGatherUnshuffle. */
            keyGatherUnshuffle: number[];

            /** RankShard enqueueOrder. */
            enqueueOrder: number[];

            /**
             * Creates a new RankShard instance using the specified properties.
             * @param [properties] Properties to set
             * @returns RankShard instance
             */
            static create(properties: mixmask.v1.RankShard.$Shape): mixmask.v1.RankShard & mixmask.v1.RankShard.$Shape;
            static create(properties?: mixmask.v1.RankShard.$Properties): mixmask.v1.RankShard;

            /**
             * Encodes the specified RankShard message. Does not implicitly {@link mixmask.v1.RankShard.verify|verify} messages.
             * @param message RankShard message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.RankShard.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a RankShard message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.RankShard & mixmask.v1.RankShard.$Shape} RankShard
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.RankShard & mixmask.v1.RankShard.$Shape;
        }

        namespace RankShard {

            /** Properties of a RankShard. */
            interface $Properties {

                /** RankShard rank */
                rank?: (number|null);

                /** RankShard worldSize */
                worldSize?: (number|null);

                /** RankShard globalBatchSize */
                globalBatchSize?: (number|null);

                /** RankShard positions */
                positions?: (number[]|null);

                /** RankShard keyGatherShuffle */
                keyGatherShuffle?: (number[]|null);

                /** RankShard keyGatherUnshuffle */
                keyGatherUnshuffle?: (number[]|null);

                /** RankShard enqueueOrder */
                enqueueOrder?: (number[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a RankShard. */
            type $Shape = mixmask.v1.RankShard.$Properties;
        }

        /**
         * Properties of a ShardStepPlan.
         * @deprecated Use mixmask.v1.ShardStepPlan.$Properties instead.
         */
        interface IShardStepPlan extends mixmask.v1.ShardStepPlan.$Properties {
        }

        /** Represents a ShardStepPlan. */
        class ShardStepPlan {

            /**
             * Constructs a new ShardStepPlan.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.ShardStepPlan.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ShardStepPlan plan. */
            plan?: (mixmask.v1.StepPlan.$Properties|null);

            /** ShardStepPlan shard. */
            shard?: (mixmask.v1.RankShard.$Properties|null);

            /**
             * Creates a new ShardStepPlan instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ShardStepPlan instance
             */
            static create(properties: mixmask.v1.ShardStepPlan.$Shape): mixmask.v1.ShardStepPlan & mixmask.v1.ShardStepPlan.$Shape;
            static create(properties?: mixmask.v1.ShardStepPlan.$Properties): mixmask.v1.ShardStepPlan;

            /**
             * Encodes the specified ShardStepPlan message. Does not implicitly {@link mixmask.v1.ShardStepPlan.verify|verify} messages.
             * @param message ShardStepPlan message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.ShardStepPlan.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ShardStepPlan message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.ShardStepPlan & mixmask.v1.ShardStepPlan.$Shape} ShardStepPlan
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.ShardStepPlan & mixmask.v1.ShardStepPlan.$Shape;
        }

        namespace ShardStepPlan {

            /** Properties of a ShardStepPlan. */
            interface $Properties {

                /** ShardStepPlan plan */
                plan?: (mixmask.v1.StepPlan.$Properties|null);

                /** ShardStepPlan shard */
                shard?: (mixmask.v1.RankShard.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ShardStepPlan. */
            type $Shape = mixmask.v1.ShardStepPlan.$Properties;
        }

        /**
         * Properties of a BackboneSpec.
         * @deprecated Use mixmask.v1.BackboneSpec.$Properties instead.
         */
        interface IBackboneSpec extends mixmask.v1.BackboneSpec.$Properties {
        }

        /** Represents a BackboneSpec. */
        class BackboneSpec {

            /**
             * Constructs a new BackboneSpec.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.BackboneSpec.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** BackboneSpec backbone. */
            backbone?: (mixmask.v1.BackboneConfig.$Properties|null);

            /** BackboneSpec imageSize. */
            imageSize: number;

            /** BackboneSpec mean. */
            mean: number[];

            /** BackboneSpec std. */
            std: number[];

            /** BackboneSpec featureDim. */
            featureDim: number;

            /**
             * Creates a new BackboneSpec instance using the specified properties.
             * @param [properties] Properties to set
             * @returns BackboneSpec instance
             */
            static create(properties: mixmask.v1.BackboneSpec.$Shape): mixmask.v1.BackboneSpec & mixmask.v1.BackboneSpec.$Shape;
            static create(properties?: mixmask.v1.BackboneSpec.$Properties): mixmask.v1.BackboneSpec;

            /**
             * Encodes the specified BackboneSpec message. Does not implicitly {@link mixmask.v1.BackboneSpec.verify|verify} messages.
             * @param message BackboneSpec message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.BackboneSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a BackboneSpec message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.BackboneSpec & mixmask.v1.BackboneSpec.$Shape} BackboneSpec
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.BackboneSpec & mixmask.v1.BackboneSpec.$Shape;
        }

        namespace BackboneSpec {

            /** Properties of a BackboneSpec. */
            interface $Properties {

                /** BackboneSpec backbone */
                backbone?: (mixmask.v1.BackboneConfig.$Properties|null);

                /** BackboneSpec imageSize */
                imageSize?: (number|null);

                /** BackboneSpec mean */
                mean?: (number[]|null);

                /** BackboneSpec std */
                std?: (number[]|null);

                /** BackboneSpec featureDim */
                featureDim?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a BackboneSpec. */
            type $Shape = mixmask.v1.BackboneSpec.$Properties;
        }

        /** ExportFormat enum. */
        enum ExportFormat {

            /** EXPORT_FORMAT_UNSPECIFIED value */
            EXPORT_FORMAT_UNSPECIFIED = 0,

            /** SAFETENSORS value */
            SAFETENSORS = 1,

            /** TORCHSCRIPT value */
            TORCHSCRIPT = 2,

            /** ONNX value */
            ONNX = 3,

            /** DETECTRON2 value */
            DETECTRON2 = 4
        }

        /**
         * Properties of an ExportRequest.
         * @deprecated Use mixmask.v1.ExportRequest.$Properties instead.
         */
        interface IExportRequest extends mixmask.v1.ExportRequest.$Properties {
        }

        /** Represents an ExportRequest. */
        class ExportRequest {

            /**
             * Constructs a new ExportRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.ExportRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ExportRequest checkpointPath. */
            checkpointPath: string;

            /** ExportRequest sha256. */
            sha256: string;

            /** ExportRequest outDir. */
            outDir: string;

            /** ExportRequest formats. */
            formats: mixmask.v1.ExportFormat[];

            /**
             * Creates a new ExportRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ExportRequest instance
             */
            static create(properties: mixmask.v1.ExportRequest.$Shape): mixmask.v1.ExportRequest & mixmask.v1.ExportRequest.$Shape;
            static create(properties?: mixmask.v1.ExportRequest.$Properties): mixmask.v1.ExportRequest;

            /**
             * Encodes the specified ExportRequest message. Does not implicitly {@link mixmask.v1.ExportRequest.verify|verify} messages.
             * @param message ExportRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.ExportRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ExportRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.ExportRequest & mixmask.v1.ExportRequest.$Shape} ExportRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.ExportRequest & mixmask.v1.ExportRequest.$Shape;
        }

        namespace ExportRequest {

            /** Properties of an ExportRequest. */
            interface $Properties {

                /** ExportRequest checkpointPath */
                checkpointPath?: (string|null);

                /** ExportRequest sha256 */
                sha256?: (string|null);

                /** ExportRequest outDir */
                outDir?: (string|null);

                /** ExportRequest formats */
                formats?: (mixmask.v1.ExportFormat[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an ExportRequest. */
            type $Shape = mixmask.v1.ExportRequest.$Properties;
        }

        /**
         * Properties of an ExportedFile.
         * @deprecated Use mixmask.v1.ExportedFile.$Properties instead.
         */
        interface IExportedFile extends mixmask.v1.ExportedFile.$Properties {
        }

        /** Represents an ExportedFile. */
        class ExportedFile {

            /**
             * Constructs a new ExportedFile.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.ExportedFile.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ExportedFile format. */
            format: mixmask.v1.ExportFormat;

            /** ExportedFile file. */
            file: string;

            /** ExportedFile bytes. */
            bytes: number;

            /** ExportedFile sha256. */
            sha256: string;

            /** ExportedFile check. */
            check: string;

            /** ExportedFile maxAbsDiff. */
            maxAbsDiff: number;

            /**
             * Creates a new ExportedFile instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ExportedFile instance
             */
            static create(properties: mixmask.v1.ExportedFile.$Shape): mixmask.v1.ExportedFile & mixmask.v1.ExportedFile.$Shape;
            static create(properties?: mixmask.v1.ExportedFile.$Properties): mixmask.v1.ExportedFile;

            /**
             * Encodes the specified ExportedFile message. Does not implicitly {@link mixmask.v1.ExportedFile.verify|verify} messages.
             * @param message ExportedFile message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.ExportedFile.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ExportedFile message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.ExportedFile & mixmask.v1.ExportedFile.$Shape} ExportedFile
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.ExportedFile & mixmask.v1.ExportedFile.$Shape;
        }

        namespace ExportedFile {

            /** Properties of an ExportedFile. */
            interface $Properties {

                /** ExportedFile format */
                format?: (mixmask.v1.ExportFormat|null);

                /** ExportedFile file */
                file?: (string|null);

                /** ExportedFile bytes */
                bytes?: (number|null);

                /** ExportedFile sha256 */
                sha256?: (string|null);

                /** ExportedFile check */
                check?: (string|null);

                /** ExportedFile maxAbsDiff */
                maxAbsDiff?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an ExportedFile. */
            type $Shape = mixmask.v1.ExportedFile.$Properties;
        }

        /**
         * Properties of an ExportReply.
         * @deprecated Use mixmask.v1.ExportReply.$Properties instead.
         */
        interface IExportReply extends mixmask.v1.ExportReply.$Properties {
        }

        /** Represents an ExportReply. */
        class ExportReply {

            /**
             * Constructs a new ExportReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.ExportReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ExportReply spec. */
            spec?: (mixmask.v1.BackboneSpec.$Properties|null);

            /** ExportReply step. */
            step: number;

            /** ExportReply files. */
            files: mixmask.v1.ExportedFile.$Properties[];

            /** ExportReply torchVersion. */
            torchVersion: string;

            /** ExportReply onnxOpset. */
            onnxOpset: number;

            /**
             * Creates a new ExportReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ExportReply instance
             */
            static create(properties: mixmask.v1.ExportReply.$Shape): mixmask.v1.ExportReply & mixmask.v1.ExportReply.$Shape;
            static create(properties?: mixmask.v1.ExportReply.$Properties): mixmask.v1.ExportReply;

            /**
             * Encodes the specified ExportReply message. Does not implicitly {@link mixmask.v1.ExportReply.verify|verify} messages.
             * @param message ExportReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.ExportReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ExportReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.ExportReply & mixmask.v1.ExportReply.$Shape} ExportReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.ExportReply & mixmask.v1.ExportReply.$Shape;
        }

        namespace ExportReply {

            /** Properties of an ExportReply. */
            interface $Properties {

                /** ExportReply spec */
                spec?: (mixmask.v1.BackboneSpec.$Properties|null);

                /** ExportReply step */
                step?: (number|null);

                /** ExportReply files */
                files?: (mixmask.v1.ExportedFile.$Properties[]|null);

                /** ExportReply torchVersion */
                torchVersion?: (string|null);

                /** ExportReply onnxOpset */
                onnxOpset?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an ExportReply. */
            type $Shape = mixmask.v1.ExportReply.$Properties;
        }

        /**
         * Properties of a CheckpointRef.
         * @deprecated Use mixmask.v1.CheckpointRef.$Properties instead.
         */
        interface ICheckpointRef extends mixmask.v1.CheckpointRef.$Properties {
        }

        /** Represents a CheckpointRef. */
        class CheckpointRef {

            /**
             * Constructs a new CheckpointRef.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.CheckpointRef.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CheckpointRef path. */
            path: string;

            /** CheckpointRef sha256. */
            sha256: string;

            /**
             * Creates a new CheckpointRef instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CheckpointRef instance
             */
            static create(properties: mixmask.v1.CheckpointRef.$Shape): mixmask.v1.CheckpointRef & mixmask.v1.CheckpointRef.$Shape;
            static create(properties?: mixmask.v1.CheckpointRef.$Properties): mixmask.v1.CheckpointRef;

            /**
             * Encodes the specified CheckpointRef message. Does not implicitly {@link mixmask.v1.CheckpointRef.verify|verify} messages.
             * @param message CheckpointRef message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.CheckpointRef.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CheckpointRef message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.CheckpointRef & mixmask.v1.CheckpointRef.$Shape} CheckpointRef
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.CheckpointRef & mixmask.v1.CheckpointRef.$Shape;
        }

        namespace CheckpointRef {

            /** Properties of a CheckpointRef. */
            interface $Properties {

                /** CheckpointRef path */
                path?: (string|null);

                /** CheckpointRef sha256 */
                sha256?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CheckpointRef. */
            type $Shape = mixmask.v1.CheckpointRef.$Properties;
        }

        /**
         * Properties of a SafetensorsBackbone.
         * @deprecated Use mixmask.v1.SafetensorsBackbone.$Properties instead.
         */
        interface ISafetensorsBackbone extends mixmask.v1.SafetensorsBackbone.$Properties {
        }

        /** Represents a SafetensorsBackbone. */
        class SafetensorsBackbone {

            /**
             * Constructs a new SafetensorsBackbone.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.SafetensorsBackbone.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SafetensorsBackbone path. */
            path: string;

            /** SafetensorsBackbone sha256. */
            sha256: string;

            /** SafetensorsBackbone spec. */
            spec?: (mixmask.v1.BackboneSpec.$Properties|null);

            /**
             * Creates a new SafetensorsBackbone instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SafetensorsBackbone instance
             */
            static create(properties: mixmask.v1.SafetensorsBackbone.$Shape): mixmask.v1.SafetensorsBackbone & mixmask.v1.SafetensorsBackbone.$Shape;
            static create(properties?: mixmask.v1.SafetensorsBackbone.$Properties): mixmask.v1.SafetensorsBackbone;

            /**
             * Encodes the specified SafetensorsBackbone message. Does not implicitly {@link mixmask.v1.SafetensorsBackbone.verify|verify} messages.
             * @param message SafetensorsBackbone message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.SafetensorsBackbone.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SafetensorsBackbone message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.SafetensorsBackbone & mixmask.v1.SafetensorsBackbone.$Shape} SafetensorsBackbone
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.SafetensorsBackbone & mixmask.v1.SafetensorsBackbone.$Shape;
        }

        namespace SafetensorsBackbone {

            /** Properties of a SafetensorsBackbone. */
            interface $Properties {

                /** SafetensorsBackbone path */
                path?: (string|null);

                /** SafetensorsBackbone sha256 */
                sha256?: (string|null);

                /** SafetensorsBackbone spec */
                spec?: (mixmask.v1.BackboneSpec.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SafetensorsBackbone. */
            type $Shape = mixmask.v1.SafetensorsBackbone.$Properties;
        }

        /**
         * Properties of a LoadBackboneRequest.
         * @deprecated Use mixmask.v1.LoadBackboneRequest.$Properties instead.
         */
        interface ILoadBackboneRequest extends mixmask.v1.LoadBackboneRequest.$Properties {
        }

        /** Represents a LoadBackboneRequest. */
        class LoadBackboneRequest {

            /**
             * Constructs a new LoadBackboneRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.LoadBackboneRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** LoadBackboneRequest modelId. */
            modelId: string;

            /** LoadBackboneRequest checkpoint. */
            checkpoint?: (mixmask.v1.CheckpointRef.$Properties|null);

            /** LoadBackboneRequest safetensors. */
            safetensors?: (mixmask.v1.SafetensorsBackbone.$Properties|null);

            /** LoadBackboneRequest source. */
            source?: ("checkpoint"|"safetensors");

            /**
             * Creates a new LoadBackboneRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns LoadBackboneRequest instance
             */
            static create(properties: mixmask.v1.LoadBackboneRequest.$Shape): mixmask.v1.LoadBackboneRequest & mixmask.v1.LoadBackboneRequest.$Shape;
            static create(properties?: mixmask.v1.LoadBackboneRequest.$Properties): mixmask.v1.LoadBackboneRequest;

            /**
             * Encodes the specified LoadBackboneRequest message. Does not implicitly {@link mixmask.v1.LoadBackboneRequest.verify|verify} messages.
             * @param message LoadBackboneRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.LoadBackboneRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a LoadBackboneRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.LoadBackboneRequest & mixmask.v1.LoadBackboneRequest.$Shape} LoadBackboneRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.LoadBackboneRequest & mixmask.v1.LoadBackboneRequest.$Shape;
        }

        namespace LoadBackboneRequest {

            /** Properties of a LoadBackboneRequest. */
            interface $Properties {

                /** LoadBackboneRequest modelId */
                modelId?: (string|null);

                /** LoadBackboneRequest checkpoint */
                checkpoint?: (mixmask.v1.CheckpointRef.$Properties|null);

                /** LoadBackboneRequest safetensors */
                safetensors?: (mixmask.v1.SafetensorsBackbone.$Properties|null);

                /** LoadBackboneRequest source */
                source?: ("checkpoint"|"safetensors");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a LoadBackboneRequest. */
            type $Shape = {
              modelId?: string|null;
              checkpoint?: mixmask.v1.CheckpointRef.$Shape|null;
              safetensors?: mixmask.v1.SafetensorsBackbone.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ source?: undefined; checkpoint?: null; safetensors?: null }|{ source?: "checkpoint"; checkpoint: mixmask.v1.CheckpointRef.$Shape; safetensors?: null }|{ source?: "safetensors"; checkpoint?: null; safetensors: mixmask.v1.SafetensorsBackbone.$Shape })
            );
        }

        /**
         * Properties of a LoadBackboneReply.
         * @deprecated Use mixmask.v1.LoadBackboneReply.$Properties instead.
         */
        interface ILoadBackboneReply extends mixmask.v1.LoadBackboneReply.$Properties {
        }

        /** Represents a LoadBackboneReply. */
        class LoadBackboneReply {

            /**
             * Constructs a new LoadBackboneReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.LoadBackboneReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** LoadBackboneReply modelId. */
            modelId: string;

            /** LoadBackboneReply spec. */
            spec?: (mixmask.v1.BackboneSpec.$Properties|null);

            /**
             * Creates a new LoadBackboneReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns LoadBackboneReply instance
             */
            static create(properties: mixmask.v1.LoadBackboneReply.$Shape): mixmask.v1.LoadBackboneReply & mixmask.v1.LoadBackboneReply.$Shape;
            static create(properties?: mixmask.v1.LoadBackboneReply.$Properties): mixmask.v1.LoadBackboneReply;

            /**
             * Encodes the specified LoadBackboneReply message. Does not implicitly {@link mixmask.v1.LoadBackboneReply.verify|verify} messages.
             * @param message LoadBackboneReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.LoadBackboneReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a LoadBackboneReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.LoadBackboneReply & mixmask.v1.LoadBackboneReply.$Shape} LoadBackboneReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.LoadBackboneReply & mixmask.v1.LoadBackboneReply.$Shape;
        }

        namespace LoadBackboneReply {

            /** Properties of a LoadBackboneReply. */
            interface $Properties {

                /** LoadBackboneReply modelId */
                modelId?: (string|null);

                /** LoadBackboneReply spec */
                spec?: (mixmask.v1.BackboneSpec.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a LoadBackboneReply. */
            type $Shape = mixmask.v1.LoadBackboneReply.$Properties;
        }

        /**
         * Properties of an InlineImages.
         * @deprecated Use mixmask.v1.InlineImages.$Properties instead.
         */
        interface IInlineImages extends mixmask.v1.InlineImages.$Properties {
        }

        /** Represents an InlineImages. */
        class InlineImages {

            /**
             * Constructs a new InlineImages.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.InlineImages.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** InlineImages count. */
            count: number;

            /** InlineImages height. */
            height: number;

            /** InlineImages width. */
            width: number;

            /** InlineImages channels. */
            channels: number;

            /** InlineImages pixels. */
            pixels: Uint8Array;

            /**
             * Creates a new InlineImages instance using the specified properties.
             * @param [properties] Properties to set
             * @returns InlineImages instance
             */
            static create(properties: mixmask.v1.InlineImages.$Shape): mixmask.v1.InlineImages & mixmask.v1.InlineImages.$Shape;
            static create(properties?: mixmask.v1.InlineImages.$Properties): mixmask.v1.InlineImages;

            /**
             * Encodes the specified InlineImages message. Does not implicitly {@link mixmask.v1.InlineImages.verify|verify} messages.
             * @param message InlineImages message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.InlineImages.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an InlineImages message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.InlineImages & mixmask.v1.InlineImages.$Shape} InlineImages
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.InlineImages & mixmask.v1.InlineImages.$Shape;
        }

        namespace InlineImages {

            /** Properties of an InlineImages. */
            interface $Properties {

                /** InlineImages count */
                count?: (number|null);

                /** InlineImages height */
                height?: (number|null);

                /** InlineImages width */
                width?: (number|null);

                /** InlineImages channels */
                channels?: (number|null);

                /** InlineImages pixels */
                pixels?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an InlineImages. */
            type $Shape = mixmask.v1.InlineImages.$Properties;
        }

        /**
         * Properties of a DatasetImages.
         * @deprecated Use mixmask.v1.DatasetImages.$Properties instead.
         */
        interface IDatasetImages extends mixmask.v1.DatasetImages.$Properties {
        }

        /** Represents a DatasetImages. */
        class DatasetImages {

            /**
             * Constructs a new DatasetImages.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.DatasetImages.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DatasetImages datasetId. */
            datasetId: string;

            /** DatasetImages indices. */
            indices: number[];

            /**
             * Creates a new DatasetImages instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DatasetImages instance
             */
            static create(properties: mixmask.v1.DatasetImages.$Shape): mixmask.v1.DatasetImages & mixmask.v1.DatasetImages.$Shape;
            static create(properties?: mixmask.v1.DatasetImages.$Properties): mixmask.v1.DatasetImages;

            /**
             * Encodes the specified DatasetImages message. Does not implicitly {@link mixmask.v1.DatasetImages.verify|verify} messages.
             * @param message DatasetImages message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.DatasetImages.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DatasetImages message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.DatasetImages & mixmask.v1.DatasetImages.$Shape} DatasetImages
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.DatasetImages & mixmask.v1.DatasetImages.$Shape;
        }

        namespace DatasetImages {

            /** Properties of a DatasetImages. */
            interface $Properties {

                /** DatasetImages datasetId */
                datasetId?: (string|null);

                /** DatasetImages indices */
                indices?: (number[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DatasetImages. */
            type $Shape = mixmask.v1.DatasetImages.$Properties;
        }

        /**
         * Properties of an EmbedRequest.
         * @deprecated Use mixmask.v1.EmbedRequest.$Properties instead.
         */
        interface IEmbedRequest extends mixmask.v1.EmbedRequest.$Properties {
        }

        /** Represents an EmbedRequest. */
        class EmbedRequest {

            /**
             * Constructs a new EmbedRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.EmbedRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** EmbedRequest runId. */
            runId?: (string|null);

            /** EmbedRequest modelId. */
            modelId?: (string|null);

            /** EmbedRequest inline. */
            inline?: (mixmask.v1.InlineImages.$Properties|null);

            /** EmbedRequest dataset. */
            dataset?: (mixmask.v1.DatasetImages.$Properties|null);

            /** EmbedRequest normalize. */
            normalize: boolean;

            /** EmbedRequest batchSize. */
            batchSize: number;

            /** EmbedRequest model. */
            model?: ("runId"|"modelId");

            /** EmbedRequest images. */
            images?: ("inline"|"dataset");

            /**
             * Creates a new EmbedRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns EmbedRequest instance
             */
            static create(properties: mixmask.v1.EmbedRequest.$Shape): mixmask.v1.EmbedRequest & mixmask.v1.EmbedRequest.$Shape;
            static create(properties?: mixmask.v1.EmbedRequest.$Properties): mixmask.v1.EmbedRequest;

            /**
             * Encodes the specified EmbedRequest message. Does not implicitly {@link mixmask.v1.EmbedRequest.verify|verify} messages.
             * @param message EmbedRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.EmbedRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an EmbedRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.EmbedRequest & mixmask.v1.EmbedRequest.$Shape} EmbedRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.EmbedRequest & mixmask.v1.EmbedRequest.$Shape;
        }

        namespace EmbedRequest {

            /** Properties of an EmbedRequest. */
            interface $Properties {

                /** EmbedRequest runId */
                runId?: (string|null);

                /** EmbedRequest modelId */
                modelId?: (string|null);

                /** EmbedRequest inline */
                inline?: (mixmask.v1.InlineImages.$Properties|null);

                /** EmbedRequest dataset */
                dataset?: (mixmask.v1.DatasetImages.$Properties|null);

                /** EmbedRequest normalize */
                normalize?: (boolean|null);

                /** EmbedRequest batchSize */
                batchSize?: (number|null);

                /** EmbedRequest model */
                model?: ("runId"|"modelId");

                /** EmbedRequest images */
                images?: ("inline"|"dataset");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of an EmbedRequest. */
            type $Shape = {
              runId?: string|null;
              modelId?: string|null;
              inline?: mixmask.v1.InlineImages.$Shape|null;
              dataset?: mixmask.v1.DatasetImages.$Shape|null;
              normalize?: boolean|null;
              batchSize?: number|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ model?: undefined; runId?: null; modelId?: null }|{ model?: "runId"; runId: string; modelId?: null }|{ model?: "modelId"; runId?: null; modelId: string })
            ) & (
              ({ images?: undefined; inline?: null; dataset?: null }|{ images?: "inline"; inline: mixmask.v1.InlineImages.$Shape; dataset?: null }|{ images?: "dataset"; inline?: null; dataset: mixmask.v1.DatasetImages.$Shape })
            );
        }

        /**
         * Properties of an EmbedReply.
         * @deprecated Use mixmask.v1.EmbedReply.$Properties instead.
         */
        interface IEmbedReply extends mixmask.v1.EmbedReply.$Properties {
        }

        /** Represents an EmbedReply. */
        class EmbedReply {

            /**
             * Constructs a new EmbedReply.
             * @param [properties] Properties to set
             */
            constructor(properties?: mixmask.v1.EmbedReply.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** EmbedReply count. */
            count: number;

            /** EmbedReply dim. */
            dim: number;

            /** EmbedReply features. */
            features: Uint8Array;

            /** EmbedReply seconds. */
            seconds: number;

            /**
             * Creates a new EmbedReply instance using the specified properties.
             * @param [properties] Properties to set
             * @returns EmbedReply instance
             */
            static create(properties: mixmask.v1.EmbedReply.$Shape): mixmask.v1.EmbedReply & mixmask.v1.EmbedReply.$Shape;
            static create(properties?: mixmask.v1.EmbedReply.$Properties): mixmask.v1.EmbedReply;

            /**
             * Encodes the specified EmbedReply message. Does not implicitly {@link mixmask.v1.EmbedReply.verify|verify} messages.
             * @param message EmbedReply message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: mixmask.v1.EmbedReply.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an EmbedReply message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {mixmask.v1.EmbedReply & mixmask.v1.EmbedReply.$Shape} EmbedReply
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mixmask.v1.EmbedReply & mixmask.v1.EmbedReply.$Shape;
        }

        namespace EmbedReply {

            /** Properties of an EmbedReply. */
            interface $Properties {

                /** EmbedReply count */
                count?: (number|null);

                /** EmbedReply dim */
                dim?: (number|null);

                /** EmbedReply features */
                features?: (Uint8Array|null);

                /** EmbedReply seconds */
                seconds?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an EmbedReply. */
            type $Shape = mixmask.v1.EmbedReply.$Properties;
        }
    }
}
